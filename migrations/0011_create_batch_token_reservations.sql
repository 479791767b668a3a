-- Estimated input tokens of live batches, held from validation to the batch's terminal status and
-- checked against the project's batch_1_day_max_input_tokens for the model (src/durable/batch-quota.ts).
CREATE TABLE batch_token_reservations (
  batch_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  model TEXT NOT NULL,
  tokens INTEGER NOT NULL CHECK (tokens >= 0),
  created_at INTEGER NOT NULL
);

CREATE INDEX batch_token_reservations_by_project_model ON batch_token_reservations (project_id, model);
