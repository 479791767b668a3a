-- `/v1/responses` becomes a batch endpoint. SQLite cannot alter a CHECK constraint, so the batches
-- table is rebuilt with the new endpoint list (keep it in sync with BATCH_ENDPOINTS in
-- src/domain/models.ts), its rows copied as they are and its indexes recreated. No table
-- references batches, and D1 checks foreign keys at commit when deferred.
PRAGMA defer_foreign_keys = true;

CREATE TABLE batches_new (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  status TEXT NOT NULL CHECK (status IN (
    'validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'
  )),
  endpoint TEXT NOT NULL CHECK (endpoint IN (
    '/v1/responses', '/v1/chat/completions', '/v1/completions', '/v1/embeddings'
  )),
  input_file_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  -- unix seconds of the last mirrored change; the watchdog looks for live batches that stopped moving
  updated_at INTEGER NOT NULL,
  -- the Batch object (wire shape) as last mirrored
  object TEXT NOT NULL,
  -- creation parameters the coordinator needs to (re)start the batch: JSON
  params TEXT NOT NULL,
  -- retention: set once the chunk results (R2 batches/<id>/chunks/) of a terminal batch are swept
  chunks_swept_at INTEGER,
  -- the schedule whose run created the batch; only the cron writes it (0006)
  schedule_id TEXT
);

INSERT INTO batches_new (
  id, project_id, status, endpoint, input_file_id, created_at, expires_at, updated_at, object, params,
  chunks_swept_at, schedule_id
)
SELECT
  id, project_id, status, endpoint, input_file_id, created_at, expires_at, updated_at, object, params,
  chunks_swept_at, schedule_id
FROM batches;

DROP TABLE batches;
ALTER TABLE batches_new RENAME TO batches;

CREATE INDEX batches_project_id ON batches(project_id, id);
CREATE INDEX batches_live ON batches(status, updated_at)
  WHERE status IN ('validating', 'in_progress', 'finalizing', 'cancelling');
CREATE INDEX batches_project_schedule ON batches(project_id, schedule_id, id) WHERE schedule_id IS NOT NULL;
CREATE INDEX batches_unswept ON batches(updated_at)
  WHERE chunks_swept_at IS NULL AND status IN ('completed', 'failed', 'expired', 'cancelled');
