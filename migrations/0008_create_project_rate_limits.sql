-- Per-project, per-model limits set through POST /v1/organization/projects/{id}/rate_limits/{rl}.
-- Only what an operator changed is stored: a model without a row has the deployment's defaults
-- (src/services/admin-rate-limits.ts). NULL means "the default" for that field.
CREATE TABLE project_rate_limits (
  project_id TEXT NOT NULL REFERENCES projects(id),
  model TEXT NOT NULL,
  max_requests_per_1_minute INTEGER CHECK (max_requests_per_1_minute > 0),
  max_tokens_per_1_minute INTEGER CHECK (max_tokens_per_1_minute > 0),
  max_requests_per_1_day INTEGER CHECK (max_requests_per_1_day > 0),
  batch_1_day_max_input_tokens INTEGER CHECK (batch_1_day_max_input_tokens > 0),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, model)
);
