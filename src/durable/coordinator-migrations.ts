/**
 * SQLite schema of a BatchCoordinator. Versioned: `meta.schema_version` says which migrations ran;
 * add a new entry to MIGRATIONS (never edit a shipped one).
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
   CREATE TABLE chunks (
     idx INTEGER PRIMARY KEY,
     byte_start INTEGER NOT NULL,
     byte_end INTEGER NOT NULL,
     first_line INTEGER NOT NULL,
     first_request INTEGER NOT NULL,
     request_count INTEGER NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'queued', 'running', 'done')),
     done_count INTEGER NOT NULL DEFAULT 0,
     dispatched_at INTEGER,
     lease_until INTEGER
   );
   CREATE INDEX chunks_state ON chunks(state, idx);
   CREATE TABLE lines (
     request_index INTEGER PRIMARY KEY,
     chunk INTEGER NOT NULL,
     outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'failed')),
     segment TEXT NOT NULL,
     position INTEGER NOT NULL
   );
   CREATE INDEX lines_chunk ON lines(chunk, request_index);
   CREATE TABLE timers (kind TEXT PRIMARY KEY, due_at INTEGER NOT NULL);`,
  // webhook outbox (src/durable/webhook-outbox.ts): the batch's terminal event and its deliveries; times in ms
  `CREATE TABLE webhook_events (
     id TEXT PRIMARY KEY,
     type TEXT NOT NULL CHECK (type IN ('batch.completed', 'batch.failed', 'batch.expired', 'batch.cancelled')),
     body TEXT NOT NULL,
     project_id TEXT NOT NULL,
     webhook_url TEXT,
     recorded_at INTEGER NOT NULL,
     fanned_out INTEGER NOT NULL CHECK (fanned_out IN (0, 1))
   );
   CREATE TABLE webhook_deliveries (
     id TEXT PRIMARY KEY,
     event_id TEXT NOT NULL REFERENCES webhook_events(id),
     endpoint_id TEXT,
     url TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
     attempts INTEGER NOT NULL,
     last_status_code INTEGER,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     last_attempt_at INTEGER,
     next_attempt_at INTEGER,
     delivered_at INTEGER
   );
   CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);`,
  // model usage per minute (src/durable/usage-ledger.ts), copied to D1's usage_rollups
  `CREATE TABLE usage_minutes (
     minute INTEGER PRIMARY KEY,
     input INTEGER NOT NULL,
     output INTEGER NOT NULL,
     cached INTEGER NOT NULL,
     requests INTEGER NOT NULL,
     version INTEGER NOT NULL,
     flushed_version INTEGER NOT NULL DEFAULT 0
   );`,
  // Workers AI's async batch queue (src/durable/async-ledger.ts): a chunk whose unfinished lines
  // all wait on async requests is 'waiting'; each request and which lines it carries
  `CREATE TABLE chunks_v2 (
     idx INTEGER PRIMARY KEY,
     byte_start INTEGER NOT NULL,
     byte_end INTEGER NOT NULL,
     first_line INTEGER NOT NULL,
     first_request INTEGER NOT NULL,
     request_count INTEGER NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'queued', 'running', 'waiting', 'done')),
     done_count INTEGER NOT NULL DEFAULT 0,
     dispatched_at INTEGER,
     lease_until INTEGER
   );
   INSERT INTO chunks_v2 SELECT idx, byte_start, byte_end, first_line, first_request, request_count,
     state, done_count, dispatched_at, lease_until FROM chunks;
   DROP TABLE chunks;
   ALTER TABLE chunks_v2 RENAME TO chunks;
   CREATE INDEX chunks_state ON chunks(state, idx);
   CREATE TABLE async_requests (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     chunk INTEGER NOT NULL,
     model TEXT NOT NULL,
     request_id TEXT,
     state TEXT NOT NULL CHECK (state IN ('submitting', 'queued', 'done', 'failed')),
     created_at INTEGER NOT NULL,
     next_poll_at INTEGER,
     polls INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX async_requests_due ON async_requests(state, next_poll_at);
   CREATE TABLE async_lines (
     request_index INTEGER PRIMARY KEY,
     chunk INTEGER NOT NULL,
     submission INTEGER,
     item INTEGER NOT NULL
   );
   CREATE INDEX async_lines_submission ON async_lines(submission, item);
   CREATE INDEX async_lines_chunk ON async_lines(chunk);`,
];

export function migrateCoordinator(sql: SqlStorage): void {
  const hasMeta = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray();
  let version = 0;
  if (hasMeta.length > 0) {
    const row = sql.exec("SELECT value FROM meta WHERE key = 'schema_version'").toArray()[0];
    version = row ? Number(row.value) : 0;
  }
  for (let i = version; i < MIGRATIONS.length; i++) {
    sql.exec(MIGRATIONS[i] as string);
    sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", String(i + 1));
  }
}
