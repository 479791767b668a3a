-- The batch index: the read path for lists and the watchdog. BatchCoordinator (one Durable Object
-- per batch) is the single writer of status, counts, timestamps and file ids; it mirrors them here
-- after every change. Keep the status list in sync with BATCH_STATUSES (src/domain/batch-status.ts).
CREATE TABLE batches (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  status TEXT NOT NULL CHECK (status IN (
    'validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'
  )),
  endpoint TEXT NOT NULL CHECK (endpoint IN ('/v1/chat/completions', '/v1/completions', '/v1/embeddings')),
  input_file_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  -- unix seconds of the last mirrored change; the watchdog looks for live batches that stopped moving
  updated_at INTEGER NOT NULL,
  -- the Batch object (wire shape) as last mirrored
  object TEXT NOT NULL,
  -- creation parameters the coordinator needs to (re)start the batch: JSON
  params TEXT NOT NULL
);

CREATE INDEX batches_project_id ON batches(project_id, id);
CREATE INDEX batches_live ON batches(status, updated_at)
  WHERE status IN ('validating', 'in_progress', 'finalizing', 'cancelling');
