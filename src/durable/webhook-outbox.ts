import type { Deps } from "../app/deps";
import type { BatchParams } from "../domain/batch-params";
import { newId, type ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import type { Batch } from "../schemas/batch";
import type { WebhookDelivery } from "../schemas/webhook";
import { postWebhook } from "../webhooks/deliver";
import { batchEvent, type WebhookEventType } from "../webhooks/events";
import { ATTEMPT_TIMEOUT_MS, nextAttemptAt } from "../webhooks/retry-delays";
import { webhookHeaders } from "../webhooks/signature";
import type { TimerKind } from "./timers";

/**
 * A batch's webhook outbox, kept in its coordinator's SQLite (tables in coordinator-migrations.ts). The
 * terminal event is recorded once; the "webhooks" timer then fans it out to the batch's `webhook_url`
 * and the project's endpoints and retries each delivery until a 2xx or the 72 h window ends.
 */
type EventRow = {
  id: string;
  type: WebhookEventType;
  body: string;
  project_id: ProjectId;
  webhook_url: string | null;
  fanned_out: number;
};

type DeliveryRow = {
  id: string;
  event_id: string;
  endpoint_id: string | null;
  url: string;
  status: WebhookDelivery["status"];
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  last_attempt_at: number | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
};

type Outcome = { statusCode: number | null; error: string | null };

const toSeconds = (ms: number | null): number | null => (ms === null ? null : nowSeconds(ms));

export class WebhookOutbox {
  constructor(
    private readonly sql: SqlStorage,
    private readonly timers: {
      set(kind: TimerKind, dueAt: number): Promise<void>;
      clear(kind: TimerKind): Promise<void>;
    },
    private readonly deps: () => Deps,
  ) {}

  /** Records the batch's terminal event (once per batch) and arms its delivery. */
  async enqueue(batch: Batch, params: BatchParams, now: number = Date.now()): Promise<void> {
    if (this.sql.exec("SELECT id FROM webhook_events LIMIT 1").toArray().length > 0) {
      return;
    }
    const event = batchEvent(batch, newId("event", now));
    if (!event) {
      return;
    }
    this.sql.exec(
      `INSERT INTO webhook_events (id, type, body, project_id, webhook_url, recorded_at, fanned_out)
       VALUES (?, ?, ?, ?, ?, ?, 0)`,
      event.id,
      event.type,
      JSON.stringify(event),
      params.projectId,
      params.webhookUrl,
      now,
    );
    await this.timers.set("webhooks", now);
  }

  /** The "webhooks" timer: fans out a new event, attempts every due delivery, re-arms for the next. */
  async deliverDue(now: number = Date.now()): Promise<void> {
    await this.fanOut(now);
    const event = this.sql.exec<EventRow>("SELECT * FROM webhook_events LIMIT 1").toArray()[0];
    const due = this.sql
      .exec<DeliveryRow>(
        "SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?",
        now,
      )
      .toArray();
    if (event) {
      await Promise.all(due.map((row) => this.attempt(row, event, now)));
    }
    const next = this.sql
      .exec<{ at: number | null }>(
        "SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries WHERE status = 'pending'",
      )
      .toArray()[0];
    if (next?.at === null || next?.at === undefined) {
      await this.timers.clear("webhooks");
    } else {
      await this.timers.set("webhooks", next.at);
    }
  }

  /** Every delivery of the batch's event, in fan-out order: the webhook_url first, then endpoints. */
  deliveries(): WebhookDelivery[] {
    const event = this.sql.exec<EventRow>("SELECT * FROM webhook_events LIMIT 1").toArray()[0];
    if (!event) {
      return [];
    }
    return this.sql
      .exec<DeliveryRow>("SELECT * FROM webhook_deliveries ORDER BY rowid")
      .toArray()
      .map((row) => ({
        id: row.id,
        object: "webhook_delivery",
        event_id: row.event_id,
        event_type: event.type,
        webhook_endpoint_id: row.endpoint_id,
        url: row.url,
        status: row.status,
        attempts: row.attempts,
        last_status_code: row.last_status_code,
        last_error: row.last_error,
        created_at: nowSeconds(row.created_at),
        last_attempt_at: toSeconds(row.last_attempt_at),
        next_attempt_at: toSeconds(row.next_attempt_at),
        delivered_at: toSeconds(row.delivered_at),
      }));
  }

  private async fanOut(now: number): Promise<void> {
    const event = this.sql.exec<EventRow>("SELECT * FROM webhook_events WHERE fanned_out = 0").toArray()[0];
    if (!event) {
      return;
    }
    // a D1 failure here throws before anything is written: the timer retries the whole fan-out
    const endpoints = await this.deps().webhooks.endpointsFor(event.project_id, event.type);
    const targets = [
      ...(event.webhook_url === null ? [] : [{ id: null, url: event.webhook_url }]),
      ...endpoints.map((endpoint) => ({ id: endpoint.id, url: endpoint.url })),
    ];
    for (const target of targets) {
      this.sql.exec(
        `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, url, status, attempts, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
        newId("webhookDelivery", now),
        event.id,
        target.id,
        target.url,
        now,
        now,
      );
    }
    this.sql.exec("UPDATE webhook_events SET fanned_out = 1 WHERE id = ?", event.id);
  }

  private async attempt(row: DeliveryRow, event: EventRow, now: number): Promise<void> {
    // `now` is when the run was due (tests pass later times); an attempt is stamped when it happens,
    // and its backoff counts from its end, which may be up to the 10 s timeout later
    const clock = (): number => Math.max(now, Date.now());
    let secret: string | null;
    try {
      const store = this.deps().webhooks;
      secret =
        row.endpoint_id === null
          ? await store.projectSecret(event.project_id)
          : await store.endpointSecret(event.project_id, row.endpoint_id);
    } catch (err) {
      // the error names what failed (D1, decryption); it never contains the secret
      console.error(
        JSON.stringify({ msg: "webhook secret unavailable", deliveryId: row.id, err: String(err) }),
      );
      this.failed(row, clock(), { statusCode: null, error: "the signing secret could not be read" });
      return;
    }
    if (secret === null && row.endpoint_id !== null) {
      this.giveUp(row, clock(), "the webhook endpoint was deleted");
      return;
    }
    if (secret === null) {
      this.failed(row, clock(), { statusCode: null, error: "the project has no webhook signing secret" });
      return;
    }
    const headers = await webhookHeaders(secret, event.id, event.body, nowSeconds(clock()));
    const result = await postWebhook(row.url, headers, event.body, ATTEMPT_TIMEOUT_MS);
    const endedAt = clock();
    if (result.ok) {
      this.sql.exec(
        `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status_code = ?,
         last_error = NULL, last_attempt_at = ?, next_attempt_at = NULL, delivered_at = ? WHERE id = ?`,
        result.statusCode,
        endedAt,
        endedAt,
        row.id,
      );
      return;
    }
    this.failed(row, endedAt, result);
  }

  private failed(row: DeliveryRow, now: number, outcome: Outcome): void {
    const attempts = row.attempts + 1;
    const next = nextAttemptAt(row.created_at, attempts, now, this.deps().config.webhooks.retryBaseMs);
    this.sql.exec(
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?, last_error = ?,
       last_attempt_at = ?, next_attempt_at = ? WHERE id = ?`,
      next === null ? "failed" : "pending",
      attempts,
      outcome.statusCode,
      outcome.error,
      now,
      next,
      row.id,
    );
  }

  private giveUp(row: DeliveryRow, now: number, error: string): void {
    this.sql.exec(
      `UPDATE webhook_deliveries SET status = 'failed', last_status_code = NULL, last_error = ?,
       last_attempt_at = ?, next_attempt_at = NULL WHERE id = ?`,
      error,
      now,
      row.id,
    );
  }
}
