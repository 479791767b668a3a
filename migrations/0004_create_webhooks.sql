-- Webhooks: project endpoints and the project signing secret used for per-batch `webhook_url`s.
-- A signing secret must be readable to sign (HMAC), so it cannot be hashed like an API key. It is
-- stored AES-GCM encrypted under the WEBHOOK_SECRET_KEY Worker secret (src/webhooks/secret-cipher.ts)
-- and returned only in the response that created or rotated it. Deliveries live in each batch's
-- Durable Object, their single writer.
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  url TEXT NOT NULL CHECK (length(url) <= 2048),
  secret_ciphertext TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- ids are time-ordered, so (project_id, id) serves both the list order and the `after` cursor
CREATE INDEX webhook_endpoints_project_id ON webhook_endpoints(project_id, id);

-- The events an endpoint receives. Keep the list in sync with WEBHOOK_EVENT_TYPES (src/webhooks/events.ts).
CREATE TABLE webhook_endpoint_events (
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL CHECK (event_type IN ('batch.completed', 'batch.failed', 'batch.expired', 'batch.cancelled')),
  PRIMARY KEY (endpoint_id, event_type)
);

CREATE TABLE webhook_project_secrets (
  project_id TEXT PRIMARY KEY REFERENCES projects(id),
  secret_ciphertext TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
