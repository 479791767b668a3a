/** The wire objects the dashboard reads (the subset of the API's schemas it uses). */
export const LIVE_STATUSES = ["validating", "in_progress", "finalizing", "cancelling"];

export type Batch = {
  id: string;
  endpoint: string;
  model: string | null;
  status: string;
  input_file_id: string;
  output_file_id: string | null;
  error_file_id: string | null;
  completion_window: string;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  errors: { data: { code: string; message: string; line: number | null }[] } | null;
  metadata: Record<string, string> | null;
  /** Extension: the batch's share of its Workers AI pool and when it should finish, while it runs. */
  eta?: { share: number; rate_per_minute: number; seconds: number } | null;
  /** Extension: finished lines per Workers AI path, and async requests still queued. */
  execution?: { sync: number; async: number; async_requests_pending: number };
};

export type FileObject = {
  id: string;
  filename: string;
  bytes: number;
  purpose: string;
  created_at: number;
  expires_at?: number | null;
};

export type BatchResult = {
  id: string;
  line: number;
  custom_id: string;
  status: string;
  request: Record<string, unknown> | null;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: Record<string, unknown> | null;
  attempts: number | null;
};

export type Schedule = {
  id: string;
  status: "active" | "paused";
  cron: string;
  timezone: string;
  input_file_id: string | null;
  input_url: string | null;
  batch: { endpoint: string; completion_window: string; model?: string };
  next_run_at: number | null;
  last_run_at: number | null;
  last_batch_id: string | null;
  last_error: { code: string; message: string } | null;
};

export type WebhookEndpoint = { id: string; url: string; event_types: string[]; created_at: number };

export type WebhookDelivery = {
  id: string;
  event_type: string;
  url: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  next_attempt_at: number | null;
};

export type Upload = { id: string; status: string; file: FileObject | null };
