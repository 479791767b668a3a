import { describe, expect, it } from "vitest";
import type { Deps } from "../../src/app/deps";
import { NON_HTTP_ERRORS } from "../../src/domain/batch-line";
import { ApiError } from "../../src/errors/api-error";
import { StaticCatalogue } from "../../src/inference/catalogue";
import type { FlowInfo } from "../../src/inference/fair-share";
import { KNOWN_MODELS } from "../../src/inference/known-models";
import type { RateLimiter } from "../../src/inference/limiter-client";
import {
  InferenceError,
  type InferenceProvider,
  type InferenceRequest,
  type InferenceSuccess,
} from "../../src/inference/types";
import {
  parseSyncBatchRequest,
  runSyncBatch,
  SYNC_FLOW_ID,
  type SyncBatchJob,
} from "../../src/services/sync-batch";

const CHAT = "@cf/meta/llama-3.1-8b-instruct-fast";
const LORA_BASE = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const catalogue = new StaticCatalogue(KNOWN_MODELS, { "gpt-4o-mini": CHAT });

type Behaviour = "ok" | "hang" | InferenceError;

/** Answers by the first message's text: `ok`, `hang` (never settles) or an error's name in ERRORS. */
function fakeProvider(errors: Record<string, InferenceError> = {}) {
  const state = { calls: [] as InferenceRequest[], inFlight: 0, maxInFlight: 0 };
  const provider: InferenceProvider = {
    async run(request) {
      state.calls.push(request);
      const messages = request.body.messages as Array<{ content: string }>;
      const text = messages[0]?.content ?? "";
      const behaviour: Behaviour = errors[text] ?? (text === "hang" ? "hang" : "ok");
      if (behaviour === "hang") {
        return new Promise<InferenceSuccess>(() => {});
      }
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      // a macrotask, so concurrent calls overlap as real model calls do
      await new Promise((resolve) => setTimeout(resolve, 0));
      state.inFlight -= 1;
      if (behaviour instanceof InferenceError) {
        throw behaviour;
      }
      return {
        body: { object: "chat.completion", model: request.model.requested, lora: request.model.lora, text },
        usage: { inputTokens: 1, outputTokens: 1, cachedTokens: 0, reasoningTokens: 0 },
      };
    },
    async catalogue() {
      return catalogue;
    },
  };
  return { provider, state };
}

function countingLimiter() {
  const counts = { acquired: 0, flushed: 0 };
  const limiter: RateLimiter = {
    acquire: async (_model, { deadline, signal }) => {
      counts.acquired += 1;
      return !signal?.aborted && Date.now() < deadline;
    },
    report: () => {},
    flush: async () => {
      counts.flushed += 1;
    },
  };
  return { limiter, counts };
}

function chatJob(texts: string[], baseModel: string | null = null): SyncBatchJob {
  return {
    baseModel,
    items: texts.map((text, id) => ({
      id,
      body: { model: CHAT, messages: [{ role: "user", content: text }] },
    })),
  };
}

describe("runSyncBatch", () => {
  it("answers a request still running at the deadline with request_timeout, and the rest normally", async () => {
    const { provider } = fakeProvider();
    const { limiter, counts } = countingLimiter();
    const started = Date.now();
    const results = await runSyncBatch(
      { inference: provider, rateLimiter: limiter },
      "/v1/chat/completions",
      chatJob(["ok", "hang", "ok"]),
      {
        startedAt: started,
        timeoutMs: 100,
      },
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(results[0]?.[1]).toMatchObject({ object: "chat.completion" });
    expect(results[1]).toEqual([
      1,
      {
        error: {
          message: expect.stringContaining("/v1/batches"),
          type: "server_error",
          param: null,
          code: "request_timeout",
        },
      },
    ]);
    expect(results[2]?.[1]).toMatchObject({ object: "chat.completion" });
    expect(counts.flushed).toBe(1);
  });

  it("sends nothing to the model once the deadline has passed", async () => {
    const { provider, state } = fakeProvider();
    const { limiter } = countingLimiter();
    const results = await runSyncBatch(
      { inference: provider, rateLimiter: limiter },
      "/v1/chat/completions",
      chatJob(["ok", "ok"]),
      {
        startedAt: Date.now() - 120_000,
      },
    );
    expect(state.calls).toHaveLength(0);
    expect(results.map(([, answer]) => (answer as { error: { code: string } }).error.code)).toEqual([
      "request_timeout",
      "request_timeout",
    ]);
  });

  it("runs at most `concurrency` requests at once, each through the rate limiter", async () => {
    const { provider, state } = fakeProvider();
    const { limiter, counts } = countingLimiter();
    const job = chatJob(Array.from({ length: 20 }, () => "ok"));
    const results = await runSyncBatch(
      { inference: provider, rateLimiter: limiter },
      "/v1/chat/completions",
      job,
      {
        startedAt: Date.now(),
        concurrency: 3,
      },
    );
    expect(results).toHaveLength(20);
    expect(state.maxInFlight).toBe(3);
    expect(counts.acquired).toBe(20);
  });

  it("maps upstream failures to OpenAI error types, a model timeout to request_timeout", async () => {
    const { provider } = fakeProvider({
      limited: new InferenceError("Workers AI error 3040: busy", {
        status: 429,
        code: "3040",
        transient: false,
      }),
      slow: new InferenceError("Workers AI error 3007: slow", {
        status: 408,
        code: "3007",
        transient: false,
      }),
      broken: new InferenceError("Workers AI upstream error", {
        status: 502,
        code: "upstream_error",
        transient: false,
      }),
    });
    const { limiter } = countingLimiter();
    const results = await runSyncBatch(
      { inference: provider, rateLimiter: limiter },
      "/v1/chat/completions",
      chatJob(["limited", "slow", "broken"]),
      {
        startedAt: Date.now(),
      },
    );
    expect(results.map(([, answer]) => answer)).toEqual([
      {
        error: {
          message: "Workers AI error 3040: busy",
          type: "rate_limit_error",
          param: null,
          code: "3040",
        },
      },
      {
        error: {
          message: NON_HTTP_ERRORS.request_timeout,
          type: "server_error",
          param: null,
          code: "request_timeout",
        },
      },
      {
        error: {
          message: "Workers AI upstream error",
          type: "server_error",
          param: null,
          code: "upstream_error",
        },
      },
    ]);
  });

  it("runs rows without a model on the base model, and other names as LoRA adapters on it", async () => {
    const { provider, state } = fakeProvider();
    const { limiter } = countingLimiter();
    const job: SyncBatchJob = {
      baseModel: LORA_BASE,
      items: [
        { id: "a", body: { messages: [{ role: "user", content: "ok" }] } },
        { id: "b", body: { model: "my-adapter", messages: [{ role: "user", content: "ok" }] } },
        { id: "c", body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "ok" }] } },
      ],
    };
    await runSyncBatch({ inference: provider, rateLimiter: limiter }, "/v1/chat/completions", job, {
      startedAt: Date.now(),
    });
    const byId = new Map(state.calls.map((call) => [call.model.requested, call.model]));
    expect(byId.get(LORA_BASE)).toMatchObject({ id: LORA_BASE, lora: null });
    expect(byId.get("my-adapter")).toMatchObject({ id: LORA_BASE, lora: "my-adapter" });
    expect(byId.get("gpt-4o-mini")).toMatchObject({ id: CHAT, lora: null });
  });

  it("asks the pool for permits as the project's interactive flow, within its limits", async () => {
    const { provider } = fakeProvider();
    const flows: Array<FlowInfo | undefined> = [];
    const limiter: RateLimiter = {
      acquire: async (_model, { flow }) => {
        flows.push(flow);
        return true;
      },
      report: () => {},
      flush: async () => {},
    };
    const rateLimits = {
      list: async () => [{ model: CHAT, maxRequestsPer1Minute: 42 }],
    } as unknown as Deps["rateLimits"];
    const startedAt = Date.now();
    await runSyncBatch(
      { inference: provider, rateLimiter: limiter, rateLimits },
      "/v1/chat/completions",
      chatJob(["ok", "ok"]),
      { startedAt, account: { projectId: "proj_sync", apiKeyId: "key_1" } },
    );
    expect(flows).toEqual(
      [0, 1].map(() => ({
        projectId: "proj_sync",
        batchId: SYNC_FLOW_ID,
        deadlineMs: startedAt + 60_000,
        remaining: 2,
        weight: 1,
        capRpm: 42,
        priority: "interactive",
      })),
    );
  });

  it("asks first come first served without a project", async () => {
    const { provider } = fakeProvider();
    const flows: Array<FlowInfo | undefined> = [];
    const limiter: RateLimiter = {
      acquire: async (_model, { flow }) => {
        flows.push(flow);
        return true;
      },
      report: () => {},
      flush: async () => {},
    };
    await runSyncBatch(
      { inference: provider, rateLimiter: limiter },
      "/v1/chat/completions",
      chatJob(["ok"]),
      {
        startedAt: Date.now(),
      },
    );
    expect(flows).toEqual([undefined]);
  });

  it("refuses an unknown base model before running anything", async () => {
    const { provider, state } = fakeProvider();
    const { limiter } = countingLimiter();
    const run = runSyncBatch(
      { inference: provider, rateLimiter: limiter },
      "/v1/chat/completions",
      chatJob(["ok"], "gpt-17"),
      {
        startedAt: Date.now(),
      },
    );
    await expect(run).rejects.toMatchObject({ status: 400, param: "model", code: "model_not_found" });
    expect(state.calls).toHaveLength(0);
  });
});

describe("parseSyncBatchRequest", () => {
  it("takes the item limit it is given", () => {
    const data = [1, 2, 3].map((id) => [id, { model: CHAT }]);
    expect(parseSyncBatchRequest({ data }, 3).items).toHaveLength(3);
    expect(() => parseSyncBatchRequest({ data }, 2)).toThrow(ApiError);
  });

  it("lets rows leave out the model when the call names a base model", () => {
    const job = parseSyncBatchRequest({ model: LORA_BASE, data: [[1, { messages: [] }]] }, 100);
    expect(job).toEqual({ baseModel: LORA_BASE, items: [{ id: 1, body: { messages: [] } }] });
  });

  it("treats 1 and 1.0 as the same id", () => {
    expect(() =>
      parseSyncBatchRequest(JSON.parse('{"data": [[1, {"model": "m"}], [1.0, {"model": "m"}]]}'), 100),
    ).toThrow(expect.objectContaining({ param: "data[1]", code: "duplicate_id" }));
  });
});
