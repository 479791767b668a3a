-- The Uploads API (POST /v1/uploads): a file sent in parts. Metadata only; each part's bytes are one
-- R2 object under r2_key, and a completed upload's file is read through a manifest of its parts.
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  filename TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals')),
  mime_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  -- 'expired' is not stored: a pending upload past expires_at is expired
  status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'cancelled')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  -- expires_after.seconds for the file made on completion; null: the purpose's default
  file_expires_after INTEGER,
  file_id TEXT,
  idempotency_key TEXT,
  request_hash TEXT,
  updated_at INTEGER NOT NULL
);

CREATE UNIQUE INDEX uploads_project_idempotency ON uploads(project_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX uploads_expires_at ON uploads(expires_at);

-- A part row is written before its bytes (status 'writing'), so every part object in R2 has a row
-- the retention sweep can find, whatever crashed.
CREATE TABLE upload_parts (
  id TEXT PRIMARY KEY,
  upload_id TEXT NOT NULL REFERENCES uploads(id),
  project_id TEXT NOT NULL,
  r2_key TEXT NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('writing', 'stored')),
  -- the part's place in the completed file; null: not (yet) named by a completion
  position INTEGER,
  created_at INTEGER NOT NULL
);

CREATE INDEX upload_parts_upload ON upload_parts(upload_id, id);
