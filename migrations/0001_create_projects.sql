-- Projects own every user-visible object; API keys belong to a project and are stored hashed.
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  -- hex SHA-256 of the full key; the key itself is never stored
  key_hash TEXT NOT NULL UNIQUE,
  -- the first characters of the key, shown in listings so an operator can tell keys apart
  key_hint TEXT NOT NULL,
  name TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE INDEX api_keys_project ON api_keys(project_id);
