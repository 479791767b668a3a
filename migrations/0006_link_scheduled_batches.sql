-- A schedule's batches were found by metadata.batch_schedule_id (a column generated in 0005), which
-- any client could set on a batch of its own. The link is now a plain column that only the cron
-- writes, right after a schedule's run created the batch (src/cron/run-schedules.ts).
DROP INDEX batches_project_schedule;
ALTER TABLE batches DROP COLUMN schedule_id;
ALTER TABLE batches ADD COLUMN schedule_id TEXT;

-- Existing links are kept only where a run made the batch: a run creates its batch under the
-- Idempotency-Key '<schedule id>:run:<n>:<due time>' (runIdempotencyKey), in the schedule's project.
UPDATE batches SET schedule_id = s.id
FROM idempotency_keys AS k JOIN batch_schedules AS s ON s.project_id = k.project_id
WHERE k.scope = 'batches'
  AND k.project_id = batches.project_id
  AND k.resource_id = batches.id
  AND substr(k.key, 1, length(s.id) + 5) = s.id || ':run:'
  AND json_extract(batches.object, '$.metadata.batch_schedule_id') = s.id;

CREATE INDEX batches_project_schedule ON batches(project_id, schedule_id, id) WHERE schedule_id IS NOT NULL;
