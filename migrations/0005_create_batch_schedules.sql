-- Recurring batches. The cron trigger starts a due schedule's run by claiming it: one conditional
-- UPDATE that moves next_run_at on (WHERE next_run_at = <the run's time>), so two invocations never
-- start the same run. Keep the status list in sync with SCHEDULE_STATUSES (src/domain/batch-schedules.ts).
CREATE TABLE batch_schedules (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
  cron TEXT NOT NULL CHECK (length(cron) BETWEEN 1 AND 256),
  timezone TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
  -- exactly one input: a file reused by every run, or a URL fetched into a new file at each run
  input_file_id TEXT,
  input_url TEXT CHECK (length(input_url) <= 2048),
  -- the batch each run creates (endpoint, completion_window, metadata, ...): JSON
  template TEXT NOT NULL,
  -- unix seconds; NULL while paused
  next_run_at INTEGER,
  -- unix seconds when the last run started
  last_run_at INTEGER,
  last_batch_id TEXT,
  -- why the last run could not start; both NULL when it did
  last_error_code TEXT,
  last_error_message TEXT,
  -- runs claimed so far; the current run's number and due time make its batch's Idempotency-Key
  run_count INTEGER NOT NULL DEFAULT 0 CHECK (run_count >= 0),
  -- set while a run is being started: the next_run_at value it claimed, when it was claimed, and
  -- the file a URL run is importing into
  run_due_at INTEGER,
  claimed_at INTEGER,
  pending_file_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((input_file_id IS NULL) <> (input_url IS NULL)),
  CHECK (status = 'active' OR next_run_at IS NULL),
  CHECK ((claimed_at IS NULL) = (run_due_at IS NULL))
);

-- ids are time-ordered, so (project_id, id) serves both the list order and the `after` cursor
CREATE INDEX batch_schedules_project_id ON batch_schedules(project_id, id);
CREATE INDEX batch_schedules_due ON batch_schedules(next_run_at) WHERE status = 'active' AND claimed_at IS NULL;
CREATE INDEX batch_schedules_claimed ON batch_schedules(claimed_at) WHERE claimed_at IS NOT NULL;

-- A schedule's batches, read from the metadata key every run sets: the column is computed, so the
-- batch writers need no change.
ALTER TABLE batches ADD COLUMN schedule_id TEXT
  GENERATED ALWAYS AS (json_extract(object, '$.metadata.batch_schedule_id')) VIRTUAL;
CREATE INDEX batches_project_schedule ON batches(project_id, schedule_id, id) WHERE schedule_id IS NOT NULL;

-- Retention: set once the chunk results (R2 batches/<id>/chunks/) of a terminal batch are swept.
ALTER TABLE batches ADD COLUMN chunks_swept_at INTEGER;
CREATE INDEX batches_unswept ON batches(updated_at)
  WHERE chunks_swept_at IS NULL AND status IN ('completed', 'failed', 'expired', 'cancelled');
