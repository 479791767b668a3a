-- The Admin API (/v1/organization/*): admin keys, archived projects, service accounts and what the
-- project key listing shows. Admin keys are stored hashed like project keys; the key itself is
-- shown once, when it is created.
CREATE TABLE admin_api_keys (
  id TEXT PRIMARY KEY,
  -- hex SHA-256 of the full key; the key itself is never stored
  key_hash TEXT NOT NULL UNIQUE,
  -- the first and last characters of the key, for `redacted_value`
  key_hint TEXT NOT NULL,
  key_tail TEXT NOT NULL,
  name TEXT,
  -- 'secret': the bootstrap key from the ADMIN_API_KEY secret; 'api': created through the API or `npm run keys`
  source TEXT NOT NULL CHECK (source IN ('secret', 'api')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER,
  -- a deleted key stays as a row so that the same secret cannot bring it back
  deleted_at INTEGER
);

CREATE INDEX admin_api_keys_live ON admin_api_keys(id) WHERE deleted_at IS NULL;

-- An archived project keeps its data; its keys stop working at once (auth joins on projects).
ALTER TABLE projects ADD COLUMN archived_at INTEGER;
ALTER TABLE projects ADD COLUMN external_key_id TEXT;

CREATE TABLE service_accounts (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member', 'none')),
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
);

CREATE INDEX service_accounts_project_id ON service_accounts(project_id, id) WHERE deleted_at IS NULL;

-- A project key made for a service account belongs to it (and is revoked with it).
ALTER TABLE api_keys ADD COLUMN service_account_id TEXT REFERENCES service_accounts(id);
-- the last characters of the key, for `redacted_value`; NULL for keys made before this migration
ALTER TABLE api_keys ADD COLUMN key_tail TEXT;
-- updated at most once a minute per key, so that auth stays a read
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;

CREATE INDEX api_keys_project_id ON api_keys(project_id, id) WHERE revoked_at IS NULL;
