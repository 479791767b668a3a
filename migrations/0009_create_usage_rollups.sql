-- Model usage in per-minute rollups, the read path of /v1/organization/usage/*. Never a row per line.
-- Batch rows (batch_id <> '') have one writer, the batch's coordinator, which writes absolute totals
-- from its line ledger with a growing `version` (a retried or late write cannot count twice or go
-- back). Synchronous batch calls (batch_id = '') add their call's totals.
CREATE TABLE usage_rollups (
  kind TEXT NOT NULL CHECK (kind IN ('completions', 'embeddings')),
  -- unix seconds of the minute (a multiple of 60)
  minute INTEGER NOT NULL CHECK (minute % 60 = 0),
  project_id TEXT NOT NULL,
  model TEXT NOT NULL,
  -- '' when no key made the request (a scheduled batch)
  api_key_id TEXT NOT NULL,
  -- '' for synchronous calls
  batch_id TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  input_cached_tokens INTEGER NOT NULL DEFAULT 0,
  num_model_requests INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, minute, project_id, model, api_key_id, batch_id)
) WITHOUT ROWID;
