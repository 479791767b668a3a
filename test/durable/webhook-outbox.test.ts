import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import OpenAI from "openai";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDeps } from "../../src/app/deps";
import type { BatchParams } from "../../src/domain/batch-params";
import { newId, type ProjectId } from "../../src/domain/ids";
import type { TimerKind } from "../../src/durable/timers";
import { WebhookOutbox } from "../../src/durable/webhook-outbox";
import type { Batch } from "../../src/schemas/batch";
import type { WebhookEventType } from "../../src/webhooks/events";
import { DELIVERY_WINDOW_MS } from "../../src/webhooks/retry-delays";
import { newWebhookSecret } from "../../src/webhooks/signature";

// The outbox runs inside a coordinator's storage, with a recording stand-in for its timers so that no
// real alarm races the test; `globalThis.fetch` is spied on, which the object shares with the test.
const sdk = new OpenAI({ apiKey: "sk-unused" });
const deps = createDeps(env);
const HOOK = "https://hooks.example.com/batch";

type Sent = { url: string; headers: Record<string, string>; body: string; redirect: string | undefined };

type Answer = { status: number; headers?: Record<string, string> } | Error;

/** Answers fetches in order (the last answer repeats). Responses are built per call: an I/O object made
 * outside a Durable Object cannot be used inside it. */
function mockFetch(...answers: Answer[]): Sent[] {
  const sent: Sent[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    sent.push({
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: String(init?.body),
      redirect: init?.redirect,
    });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)] ?? { status: 200 };
    if (answer instanceof Error) {
      throw answer;
    }
    return new Response(answer.status === 204 ? null : "body", answer);
  });
  return sent;
}

async function newProject(options: { secret?: boolean } = {}): Promise<{ id: ProjectId; secret: string }> {
  const id = newId("project");
  await env.DB.prepare("INSERT INTO projects (id, name, created_at) VALUES (?1, ?1, 0)").bind(id).run();
  const secret = newWebhookSecret();
  if (options.secret !== false) {
    await deps.webhooks.setProjectSecret(id, secret, 0);
  }
  return { id, secret };
}

async function addEndpoint(projectId: ProjectId, url: string, eventTypes: WebhookEventType[]) {
  const endpoint = {
    id: newId("webhookEndpoint"),
    projectId,
    url,
    eventTypes,
    createdAt: 0,
    secret: newWebhookSecret(),
  };
  await deps.webhooks.createEndpoint(endpoint, 16);
  return endpoint;
}

function params(projectId: ProjectId, webhookUrl: string | null): BatchParams {
  return { projectId, inputKey: "unused", baseModel: null, outputExpiresAfterSeconds: 3600, webhookUrl };
}

function endedBatch(status: "completed" | "failed" | "expired" | "cancelled"): Batch {
  const at = Math.floor(Date.now() / 1000);
  return {
    id: newId("batch"),
    status,
    created_at: at - 60,
    completed_at: status === "completed" ? at : null,
    failed_at: status === "failed" ? at : null,
    expired_at: status === "expired" ? at : null,
    cancelled_at: status === "cancelled" ? at : null,
  } as Batch;
}

type Harness = {
  outbox: WebhookOutbox;
  timer: () => number | null | undefined;
  nextAttemptAt: () => number;
};

/** Runs `body` against a fresh outbox in a fresh coordinator's storage. */
async function withOutbox(body: (h: Harness) => Promise<void>): Promise<void> {
  const stub = env.BATCH_COORDINATOR.get(env.BATCH_COORDINATOR.idFromName(newId("batch")));
  await runInDurableObject(stub, async (_instance, state) => {
    let due: number | null | undefined;
    const timers = {
      set: async (kind: TimerKind, at: number) => {
        expect(kind).toBe("webhooks");
        due = at;
      },
      clear: async () => {
        due = null;
      },
    };
    const sql = state.storage.sql;
    await body({
      outbox: new WebhookOutbox(sql, timers, () => deps),
      timer: () => due,
      nextAttemptAt: () =>
        sql.exec<{ at: number }>("SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries").toArray()[0]
          ?.at ?? 0,
    });
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("WebhookOutbox", () => {
  it("signs the event for the batch's webhook_url and each subscribed endpoint, then disarms", async () => {
    const project = await newProject();
    const subscribed = await addEndpoint(project.id, "https://a.example.com/hook", ["batch.completed"]);
    await addEndpoint(project.id, "https://b.example.com/hook", ["batch.failed"]);
    const other = await newProject();
    await addEndpoint(other.id, "https://other.example.com/hook", ["batch.completed"]);
    const sent = mockFetch({ status: 200 });
    const batch = endedBatch("completed");

    await withOutbox(async ({ outbox, timer }) => {
      const now = Date.now();
      await outbox.enqueue(batch, params(project.id, HOOK), now);
      expect(timer()).toBe(now);
      expect(sent).toHaveLength(0);
      await outbox.deliverDue(now);
      expect(timer()).toBeNull();
      expect(outbox.deliveries()).toEqual([
        expect.objectContaining({ url: HOOK, webhook_endpoint_id: null, status: "delivered", attempts: 1 }),
        expect.objectContaining({
          url: subscribed.url,
          webhook_endpoint_id: subscribed.id,
          status: "delivered",
        }),
      ]);
    });

    expect(sent.map((s) => s.url).sort()).toEqual([subscribed.url, HOOK]);
    for (const request of sent) {
      const secret = request.url === HOOK ? project.secret : subscribed.secret;
      const event = await sdk.webhooks.unwrap(request.body, request.headers, secret);
      expect(event).toEqual({
        id: request.headers["webhook-id"],
        object: "event",
        type: "batch.completed",
        created_at: batch.completed_at,
        data: { id: batch.id },
      });
      expect(request.redirect).toBe("manual");
    }
  });

  it.each([
    ["failed", "batch.failed"],
    ["expired", "batch.expired"],
    ["cancelled", "batch.cancelled"],
  ] as const)("names a %s batch's event %s", async (status, type) => {
    const project = await newProject();
    const sent = mockFetch({ status: 204 });
    await withOutbox(async ({ outbox }) => {
      await outbox.enqueue(endedBatch(status), params(project.id, HOOK));
      await outbox.deliverDue();
    });
    expect(JSON.parse(sent[0]?.body ?? "{}")).toMatchObject({ type });
  });

  it("retries 5xx, network errors and timeouts with backoff under one webhook-id until a 2xx", async () => {
    const project = await newProject();
    const timeout = new DOMException("The operation timed out.", "TimeoutError");
    const sent = mockFetch({ status: 500 }, new TypeError("connection refused"), timeout, { status: 200 });
    await withOutbox(async ({ outbox, timer, nextAttemptAt }) => {
      // ahead of the clock, so that every step happens exactly at the time the test names
      const start = Date.now() + 60_000;
      await outbox.enqueue(endedBatch("completed"), params(project.id, HOOK), start);
      await outbox.deliverDue(start);
      const retryAt = nextAttemptAt();
      // the local environment's base is 1 s, less up to 20% jitter
      expect(retryAt - start).toBeGreaterThanOrEqual(800);
      expect(retryAt - start).toBeLessThanOrEqual(1000);
      expect(timer()).toBe(retryAt);
      expect(outbox.deliveries()[0]).toMatchObject({ status: "pending", attempts: 1, last_status_code: 500 });

      await outbox.deliverDue(retryAt - 1);
      expect(sent).toHaveLength(1);

      await outbox.deliverDue(retryAt);
      expect(outbox.deliveries()[0]).toMatchObject({
        attempts: 2,
        last_status_code: null,
        last_error: "request failed: connection refused",
      });
      expect(nextAttemptAt() - retryAt).toBeGreaterThanOrEqual(1600);

      await outbox.deliverDue(nextAttemptAt());
      expect(outbox.deliveries()[0]).toMatchObject({ attempts: 3, last_error: "no response within 10 s" });
      expect(nextAttemptAt() - retryAt).toBeGreaterThanOrEqual(1600 + 3200);

      const last = nextAttemptAt();
      await outbox.deliverDue(last);
      expect(outbox.deliveries()[0]).toMatchObject({
        status: "delivered",
        attempts: 4,
        last_status_code: 200,
        last_error: null,
        next_attempt_at: null,
        delivered_at: Math.floor(last / 1000),
      });
      expect(timer()).toBeNull();
    });
    expect(new Set(sent.map((s) => s.headers["webhook-id"])).size).toBe(1);
    expect(new Set(sent.map((s) => s.body)).size).toBe(1);
    // each attempt is signed afresh at its own time (whole seconds: the first two attempts, under a
    // second apart, may share one): a new timestamp, a new signature
    const stamps = new Set(sent.map((s) => s.headers["webhook-timestamp"]));
    expect(stamps.size).toBeGreaterThanOrEqual(3);
    expect(new Set(sent.map((s) => s.headers["webhook-signature"])).size).toBe(stamps.size);
  });

  it("counts a redirect as a failure and does not follow it", async () => {
    const project = await newProject();
    const sent = mockFetch({ status: 302, headers: { location: "https://elsewhere.example/" } });
    await withOutbox(async ({ outbox }) => {
      await outbox.enqueue(endedBatch("completed"), params(project.id, HOOK));
      await outbox.deliverDue();
      expect(outbox.deliveries()[0]).toMatchObject({
        status: "pending",
        last_status_code: 302,
        last_error: "redirects are not followed",
      });
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.redirect).toBe("manual");
  });

  it("gives up after 72 hours of failures", async () => {
    const project = await newProject();
    mockFetch({ status: 503 });
    await withOutbox(async ({ outbox, timer }) => {
      const start = Date.now();
      await outbox.enqueue(endedBatch("completed"), params(project.id, HOOK), start);
      await outbox.deliverDue(start);
      await outbox.deliverDue(start + DELIVERY_WINDOW_MS - 1);
      expect(outbox.deliveries()[0]).toMatchObject({ status: "pending", attempts: 2 });
      await outbox.deliverDue(start + DELIVERY_WINDOW_MS);
      expect(outbox.deliveries()[0]).toMatchObject({ status: "failed", attempts: 3, next_attempt_at: null });
      expect(timer()).toBeNull();
    });
  });

  it("stops delivering to an endpoint deleted while retries were pending", async () => {
    const project = await newProject();
    const endpoint = await addEndpoint(project.id, "https://a.example.com/hook", ["batch.completed"]);
    const sent = mockFetch({ status: 500 });
    await withOutbox(async ({ outbox, nextAttemptAt }) => {
      await outbox.enqueue(endedBatch("completed"), params(project.id, null));
      await outbox.deliverDue();
      expect(await deps.webhooks.deleteEndpoint(project.id, endpoint.id)).toBe(true);
      await outbox.deliverDue(nextAttemptAt());
      expect(outbox.deliveries()[0]).toMatchObject({
        status: "failed",
        attempts: 1,
        last_error: "the webhook endpoint was deleted",
      });
    });
    expect(sent).toHaveLength(1);
  });

  it("records one event per batch however often the batch ends, and nothing without destinations", async () => {
    const project = await newProject();
    const sent = mockFetch();
    await withOutbox(async ({ outbox, timer }) => {
      const batch = endedBatch("completed");
      await outbox.enqueue(batch, params(project.id, null));
      await outbox.enqueue({ ...batch, status: "failed" }, params(project.id, HOOK));
      await outbox.deliverDue();
      expect(outbox.deliveries()).toEqual([]);
      expect(timer()).toBeNull();
    });
    expect(sent).toHaveLength(0);
  });

  it("keeps retrying a webhook_url while the project has no signing secret", async () => {
    const project = await newProject({ secret: false });
    const sent = mockFetch();
    await withOutbox(async ({ outbox, timer }) => {
      await outbox.enqueue(endedBatch("completed"), params(project.id, HOOK));
      await outbox.deliverDue();
      expect(outbox.deliveries()[0]).toMatchObject({
        status: "pending",
        last_error: "the project has no webhook signing secret",
      });
      expect(timer()).toEqual(expect.any(Number));
    });
    expect(sent).toHaveLength(0);
  });
});
