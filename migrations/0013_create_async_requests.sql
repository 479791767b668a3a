-- Workers AI async batch requests in flight: the events consumer finds a request's batch here
-- (an event carries only the request id). Rows are kept 7 days (src/cron/retention.ts).
CREATE TABLE async_requests (
  request_id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL,
  submission INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX async_requests_created ON async_requests(created_at);
