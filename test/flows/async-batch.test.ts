import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createDeps } from "../../src/app/deps";
import { WORKERS_AI_BATCH_EVENT_TYPES } from "../../src/inference/workers-ai-events";
import { collectAsync } from "../../src/queue/jobs/collect-async";
import { processAiEvents } from "../../src/queue/workers-ai-events";
import { call } from "../helpers/api";
import {
  chatLine,
  createBatch,
  fileLines,
  jsonl,
  startBatchExpiringIn,
  uploadJsonl,
  waitForBatch,
} from "../helpers/batches";

// Lines whose model has Workers AI's async batch queue, and whose parameters fit its async item
// schema, go there (WORKERS_AI_ASYNC=auto); the simulator runs the queue, publishes completion
// events to the local `workers-ai-events` queue, and can lose events or fail requests on demand.

const GPT_OSS = "@cf/openai/gpt-oss-120b";
const deps = () => createDeps(env);

/** A gpt-oss chat line with nothing the async item (`{input, reasoning}`) cannot carry. */
const asyncLine = (customId: string, content: string) =>
  chatLine(customId, content, { model: GPT_OSS, max_tokens: undefined });

type OutputLine = {
  custom_id: string;
  execution?: string;
  response: {
    status_code: number;
    request_id: string;
    body: { usage?: { prompt_tokens_details?: { cached_tokens: number } }; error?: { code: string } };
  } | null;
  error: { code: string } | null;
};

async function outputOf(fileId: string | null): Promise<OutputLine[]> {
  return (await fileLines(fileId)) as unknown as OutputLine[];
}

/** The async requests a batch sent, as the events consumer finds them. */
async function asyncRequestsOf(batchId: string): Promise<Array<{ request_id: string; submission: number }>> {
  const rows = await env.DB.prepare("SELECT request_id, submission FROM async_requests WHERE batch_id = ?1")
    .bind(batchId)
    .all<{ request_id: string; submission: number }>();
  return rows.results;
}

function succeededEvent(requestId: string) {
  return {
    type: WORKERS_AI_BATCH_EVENT_TYPES.succeeded,
    source: { type: "workersAi.model", modelName: GPT_OSS },
    payload: { requestId },
    metadata: {
      accountId: "local",
      eventSubscriptionId: "local",
      eventSchemaVersion: 1,
      eventTimestamp: new Date().toISOString(),
    },
  };
}

/** A queue batch as the runtime hands the consumer one, recording what each message was told. */
function messageBatch(bodies: unknown[]) {
  const outcomes: string[] = [];
  const messages = bodies.map((body, i) => ({
    id: `m${i}`,
    timestamp: new Date(),
    attempts: 1,
    body,
    ack: () => outcomes.push("ack"),
    retry: () => outcomes.push("retry"),
  }));
  return {
    batch: {
      queue: "workers-ai-events",
      messages,
      ackAll() {},
      retryAll() {},
    } as unknown as MessageBatch<unknown>,
    outcomes,
  };
}

describe("a batch on Workers AI's async batch queue", () => {
  it("runs lines that fit the queue there and the rest synchronously, one output line each in input order", async () => {
    const lines = [
      asyncLine("a0", "first"),
      chatLine("s1", "max_tokens does not fit gpt-oss's async item", { model: GPT_OSS, max_tokens: 20 }),
      asyncLine("a2", "third"),
      chatLine("s3", "temperature does not fit either", { model: GPT_OSS, temperature: 0.2 }),
    ];
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    const done = await waitForBatch(batch.id);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 4, completed: 4, failed: 0 });
    expect(done.execution).toEqual({ sync: 2, async: 2, async_requests_pending: 0 });
    expect(done.usage.input_tokens).toBeGreaterThan(0);
    const output = await outputOf(done.output_file_id);
    expect(output.map((line) => [line.custom_id, line.execution])).toEqual([
      ["a0", "async"],
      ["s1", "sync"],
      ["a2", "async"],
      ["s3", "sync"],
    ]);
    const [requestId] = (await asyncRequestsOf(batch.id)).map((row) => row.request_id);
    // an async line's request_id names Workers AI's request and the item in it
    expect(output[0]?.response?.request_id).toMatch(new RegExp(`^${requestId}#\\d+$`));
    expect(done.error_file_id).toBeNull();
  });

  it("finishes a request whose completion event was lost, through the batch's own poll", async () => {
    const lines = Array.from({ length: 3 }, (_, i) => asyncLine(`lost-${i}`, `[sim:async_lose_event] ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    // the first backstop poll comes 10 s after the submit, at the next watchdog pass (every 15 s)
    const done = await waitForBatch(batch.id, undefined, 50_000);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    expect((await outputOf(done.output_file_id)).map((line) => line.execution)).toEqual([
      "async",
      "async",
      "async",
    ]);
  });

  it("counts lines once when the completion event comes twice at once", async () => {
    const lines = Array.from({ length: 4 }, (_, i) => asyncLine(`dup-${i}`, `[sim:async_lose_event] ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    await vi.waitUntil(async () => (await asyncRequestsOf(batch.id)).length === 1, { timeout: 10_000 });
    const [request] = await asyncRequestsOf(batch.id);
    const requestId = String(request?.request_id);
    // Workers AI has the answer ready (it would send the event now)
    await vi.waitUntil(async () => (await deps().asyncBatches.poll(GPT_OSS, requestId)).state === "done", {
      timeout: 5_000,
    });
    const event = succeededEvent(requestId);
    const first = messageBatch([event, event]);
    const second = messageBatch([event]);
    await Promise.all([processAiEvents(first.batch, deps()), processAiEvents(second.batch, deps())]);
    expect([...first.outcomes, ...second.outcomes]).toEqual(["ack", "ack", "ack"]);
    const done = await waitForBatch(batch.id, undefined, 10_000);
    expect(done.request_counts).toEqual({ total: 4, completed: 4, failed: 0 });
    expect(done.execution?.async).toBe(4);
    expect((await outputOf(done.output_file_id)).map((line) => line.custom_id)).toEqual(
      lines.map((line) => line.custom_id),
    );
  });

  it("puts every line of a request that failed for good in the error file with Workers AI's code", async () => {
    const lines = [asyncLine("f0", "[sim:async_request_fail=5004] bad"), asyncLine("f1", "fine on its own")];
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    const done = await waitForBatch(batch.id);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 2, completed: 0, failed: 2 });
    const errors = await outputOf(done.error_file_id);
    expect(
      errors.map((line) => [line.custom_id, line.response?.status_code, line.response?.body.error?.code]),
    ).toEqual([
      ["f0", 400, "5004"],
      ["f1", 400, "5004"],
    ]);
  });

  it("runs the lines of a request that failed for a passing reason synchronously instead", async () => {
    const lines = [asyncLine("t0", "[sim:async_request_fail=3040x1] busy"), asyncLine("t1", "same request")];
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    const done = await waitForBatch(batch.id);
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
    expect(done.execution).toMatchObject({ sync: 2, async: 0 });
    expect((await outputOf(done.output_file_id)).map((line) => [line.custom_id, line.execution])).toEqual([
      ["t0", "sync"],
      ["t1", "sync"],
    ]);
  });

  it("on cancel stops at once and drops an answer that comes later", async () => {
    const lines = Array.from({ length: 3 }, (_, i) => asyncLine(`c${i}`, `[sim:async_lose_event] ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    await waitForBatch(batch.id, (b) => (b.execution?.async_requests_pending ?? 0) > 0, 10_000);
    const cancelled = await call("POST", `/v1/batches/${batch.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const done = await waitForBatch(batch.id, undefined, 10_000);
    expect(done.status).toBe("cancelled");
    expect(done.request_counts).toEqual({ total: 3, completed: 0, failed: 3 });
    // the request's answer is ready on Workers AI: collecting it now (as a late event would) records nothing
    const [request] = await asyncRequestsOf(batch.id);
    await collectAsync(deps(), batch.id, Number(request?.submission));
    const after = await waitForBatch(batch.id);
    expect(after.request_counts).toEqual({ total: 3, completed: 0, failed: 3 });
    expect((await outputOf(after.error_file_id)).map((line) => line.error?.code)).toEqual([
      "batch_cancelled",
      "batch_cancelled",
      "batch_cancelled",
    ]);
  });

  it("at expiry names the lines still on the queue batch_expired", async () => {
    const lines = Array.from({ length: 2 }, (_, i) => asyncLine(`x${i}`, `[sim:async_lose_event] ${i}`));
    const batch = await startBatchExpiringIn(3, await uploadJsonl(jsonl(lines)));
    const done = await waitForBatch(batch.id, undefined, 20_000);
    expect(done.status).toBe("expired");
    expect(done.request_counts).toEqual({ total: 2, completed: 0, failed: 2 });
    expect((await outputOf(done.error_file_id)).map((line) => line.error?.code)).toEqual([
      "batch_expired",
      "batch_expired",
    ]);
  });
});

describe("prefix-cache-aware dispatch", () => {
  const system = `You are a careful assistant. ${"Follow the house rules. ".repeat(90)}`;

  it.each([
    // max_tokens keeps these off the async queue
    ["synchronous", (i: number) => chatLine(`p${i}`, `question ${i}`, { model: GPT_OSS })],
    ["async", (i: number) => asyncLine(`p${i}`, `question ${i}`)],
  ])(
    "reports cached prompt tokens for lines that share a 2,000-character system prompt (%s)",
    async (_, make) => {
      expect(system.length).toBeGreaterThan(2_000);
      const lines = Array.from({ length: 6 }, (_, i) => {
        const line = make(i);
        const body = line.body as { messages?: unknown[] };
        body.messages = [
          { role: "system", content: system },
          { role: "user", content: `question ${i}` },
        ];
        return line;
      });
      const batch = await createBatch(await uploadJsonl(jsonl(lines)));
      const done = await waitForBatch(batch.id);
      expect(done.request_counts).toEqual({ total: 6, completed: 6, failed: 0 });
      const cached = (await outputOf(done.output_file_id)).map(
        (line) => line.response?.body.usage?.prompt_tokens_details?.cached_tokens ?? 0,
      );
      // the first line with the prefix warms the cache; the ones after it hit
      expect(cached.filter((tokens) => tokens > 0).length).toBeGreaterThanOrEqual(5);
      expect(done.usage.input_tokens_details.cached_tokens).toBe(cached.reduce((a, b) => a + b, 0));
    },
  );
});
