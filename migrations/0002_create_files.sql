-- File metadata. The bytes live in R2 under the key in r2_key; never a JSONL line here.
CREATE TABLE files (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  filename TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN (
    'assistants', 'assistants_output', 'batch', 'batch_output', 'fine-tune', 'fine-tune-results',
    'vision', 'user_data', 'evals'
  )),
  bytes INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'processed' CHECK (status IN ('uploaded', 'processed', 'error')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  r2_key TEXT NOT NULL
);

-- ids are time-ordered, so (project_id, id) serves both the list order and the `after` cursor
CREATE INDEX files_project_id ON files(project_id, id);
CREATE INDEX files_project_purpose_id ON files(project_id, purpose, id);
CREATE INDEX files_expires_at ON files(expires_at) WHERE expires_at IS NOT NULL;

-- Replays of POST requests that carried an Idempotency-Key header.
CREATE TABLE idempotency_keys (
  project_id TEXT NOT NULL REFERENCES projects(id),
  scope TEXT NOT NULL CHECK (scope IN ('files', 'batches', 'batch_schedules')),
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, scope, key)
);
