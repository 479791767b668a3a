import { describe, expect, it } from "vitest";
import { DEFAULT_SIMULATOR_CONFIG, type SimulatorConfig } from "../../../src/inference/simulator/config";
import {
  type BatchEventQueue,
  SimulatorState,
  WorkersAiSimulator,
} from "../../../src/inference/simulator/simulator";
import {
  type WorkersAiBatchEvent,
  WorkersAiBatchEventSchema,
} from "../../../src/inference/workers-ai-events";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const GPT_OSS = "@cf/openai/gpt-oss-120b";
const BGE = "@cf/baai/bge-base-en-v1.5";
const QUEUE = { queueRequest: true } as const;

type Sent = { event: WorkersAiBatchEvent; delaySeconds: number | undefined };
type Done = {
  responses: { id: number; result: unknown; success: boolean; external_reference: string | null }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};

function setup(config: Partial<SimulatorConfig> = {}) {
  const clock = { now: 1_000_000 };
  const sent: Sent[] = [];
  const events: BatchEventQueue = {
    send: async (event, options) => {
      sent.push({ event, delaySeconds: options?.delaySeconds });
    },
  };
  const state = new SimulatorState();
  const sim = new WorkersAiSimulator({
    config: { ...DEFAULT_SIMULATOR_CONFIG, ...config },
    state,
    now: () => clock.now,
    events,
  });
  const submit = async (model: string, requests: unknown[], options: AiOptions = QUEUE) =>
    (await sim.run(model, { requests }, options)) as { status: string; model: string; request_id: string };
  const poll = (model: string, requestId: string) => sim.run(model, { request_id: requestId });
  return { sim, clock, sent, state, submit, poll };
}

/** A simulator with no shared state, to get what the sync path answers for one item. */
function syncRun(model: string, inputs: Record<string, unknown>, now: number) {
  return new WorkersAiSimulator({ state: new SimulatorState(), now: () => now }).run(model, inputs);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) {
      return err;
    }
  }
  throw new Error("expected the call to fail");
}

describe("WorkersAiSimulator async batch: submit and poll", () => {
  it("answers queued with a request id, then queued / running / done at the queue's rate", async () => {
    // 60 items a minute: one a second, in one FIFO
    const { clock, submit, poll } = setup({ asyncCapacity: 60 });
    const start = clock.now;
    const first = await submit(LLAMA, [{ prompt: "a" }, { prompt: "b" }]);
    expect(first).toEqual({
      status: "queued",
      model: LLAMA,
      request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    clock.now = start + 500;
    const second = await submit(LLAMA, [{ prompt: "c" }]);

    expect(await poll(LLAMA, first.request_id)).toEqual({
      status: "running",
      request_id: first.request_id,
      model: LLAMA,
    });
    // the second waits for both items of the first: it starts at +2 s and is done at +3 s
    expect(await poll(LLAMA, second.request_id)).toMatchObject({ status: "queued" });
    clock.now = start + 1_999;
    expect(await poll(LLAMA, first.request_id)).toMatchObject({ status: "running" });
    clock.now = start + 2_000;
    expect(await poll(LLAMA, first.request_id)).toHaveProperty("responses");
    expect(await poll(LLAMA, second.request_id)).toMatchObject({ status: "running" });
    clock.now = start + 2_999;
    expect(await poll(LLAMA, second.request_id)).toMatchObject({ status: "running" });
    clock.now = start + 3_000;
    expect(await poll(LLAMA, second.request_id)).toHaveProperty("responses");
  });

  it("is done at once with asyncCapacity 0, and polls with queueRequest set too", async () => {
    const { sim, submit } = setup({ asyncCapacity: 0 });
    const { request_id } = await submit(LLAMA, [{ prompt: "now" }]);
    expect(await sim.run(LLAMA, { request_id }, QUEUE)).toHaveProperty("responses");
  });

  it("does not count submissions or polls against the per-minute sync limit", async () => {
    const { sim, submit, poll } = setup({ asyncCapacity: 0, rpmLimit: 1 });
    for (let i = 0; i < 5; i++) {
      await poll(LLAMA, (await submit(LLAMA, [{ prompt: `q${i}` }])).request_id);
    }
    await expect(sim.run(LLAMA, { prompt: "sync" })).resolves.toHaveProperty("response");
    expect((await failure(sim.run(LLAMA, { prompt: "sync again" }))).message).toMatch(/^3040: /);
  });

  it("answers out of order, each response with its index, external_reference and the sync result", async () => {
    const { clock, submit, poll } = setup({ asyncCapacity: 0 });
    const items = Array.from({ length: 6 }, (_, i) => ({
      prompt: `question ${i}`,
      max_tokens: 20 + i,
      ...(i % 2 === 0 ? { external_reference: `ref-${i}` } : {}),
    }));
    const { request_id } = await submit(LLAMA, items);
    const done = (await poll(LLAMA, request_id)) as Done;
    const ids = done.responses.map((r) => r.id);
    expect(ids).not.toEqual([0, 1, 2, 3, 4, 5]);
    expect([...ids].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    let prompt = 0;
    let completion = 0;
    for (const response of done.responses) {
      const { external_reference: _ref, ...inputs } = items[response.id] ?? {};
      const expected = (await syncRun(LLAMA, inputs, clock.now)) as Done["usage"] & {
        usage: Done["usage"];
      };
      expect(response).toEqual({
        id: response.id,
        success: true,
        result: expected,
        external_reference: response.id % 2 === 0 ? `ref-${response.id}` : null,
      });
      prompt += expected.usage.prompt_tokens;
      completion += expected.usage.completion_tokens;
    }
    expect(done.usage).toEqual({
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    });
    // polling again answers the same
    expect(await poll(LLAMA, request_id)).toEqual(done);
  });

  it("runs chat messages, gpt-oss {input, reasoning} and embedding items like the sync path", async () => {
    const { clock, submit, poll } = setup({ asyncCapacity: 0 });
    const chat = { messages: [{ role: "user", content: "Hi" }] };
    const responses = { input: "Hello", reasoning: { effort: "low" } };
    const embedding = { text: ["a", "b"], pooling: "cls" };
    const cases: [string, Record<string, unknown>][] = [
      [LLAMA, chat],
      [GPT_OSS, responses],
      [BGE, embedding],
    ];
    for (const [model, item] of cases) {
      const done = (await poll(model, (await submit(model, [item])).request_id)) as Done;
      expect(done.responses).toEqual([
        { id: 0, success: true, result: await syncRun(model, item, clock.now), external_reference: null },
      ]);
    }
    const vectors = (await poll(BGE, (await submit(BGE, [embedding])).request_id)) as Done;
    expect(vectors.responses[0]?.result).toMatchObject({ shape: [2, 768], pooling: "cls" });
    expect(vectors.usage).toEqual({ prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 });
  });
});

describe("WorkersAiSimulator async batch: failures", () => {
  it("fails only the item marked [sim:fail=5006]; the queue absorbs [sim:fail=3040x2]", async () => {
    const { submit, poll } = setup({ asyncCapacity: 0 });
    const { request_id } = await submit(LLAMA, [
      { prompt: "fine" },
      { prompt: "broken [sim:fail=5006]", external_reference: "bad" },
      { prompt: "flaky [sim:fail=3040x2]" },
    ]);
    const done = (await poll(LLAMA, request_id)) as Done;
    const byId = new Map(done.responses.map((r) => [r.id, r]));
    expect(byId.get(1)).toEqual({
      id: 1,
      success: false,
      result: { errors: [{ code: 5006, message: expect.any(String) }] },
      external_reference: "bad",
    });
    expect(byId.get(0)?.success).toBe(true);
    expect(byId.get(2)?.success).toBe(true);
  });

  it("fails an item the model cannot run (a LoRA on a model without LoRA) with 5005", async () => {
    const { submit, poll } = setup({ asyncCapacity: 0 });
    const { request_id } = await submit(GPT_OSS, [{ input: "Hi", lora: "adapter" }]);
    const done = (await poll(GPT_OSS, request_id)) as Done;
    expect(done.responses[0]).toMatchObject({ success: false, result: { errors: [{ code: 5005 }] } });
  });

  it("fails the whole request for [sim:async_request_fail=CODE]: polling throws once it is done", async () => {
    const { clock, submit, poll } = setup({ asyncCapacity: 60 });
    const start = clock.now;
    const { request_id } = await submit(LLAMA, [
      { prompt: "ok" },
      { prompt: "x [sim:async_request_fail=5007]" },
    ]);
    expect(await poll(LLAMA, request_id)).toMatchObject({ status: "running" });
    clock.now = start + 2_000;
    const err = await failure(poll(LLAMA, request_id));
    expect(err.name).toBe("AiError");
    expect(err.message).toMatch(/^5007: /);
  });

  it("fails [sim:async_request_fail=3040x1] on the first submission only", async () => {
    const { submit, poll } = setup({ asyncCapacity: 0 });
    const items = [{ prompt: "retry the request [sim:async_request_fail=3040x1]" }];
    expect((await failure(poll(LLAMA, (await submit(LLAMA, items)).request_id))).message).toMatch(/^3040: /);
    expect(await poll(LLAMA, (await submit(LLAMA, items)).request_id)).toHaveProperty("responses");
  });

  it("refuses an unknown, another model's or a long-finished request id with 5004", async () => {
    const { clock, submit, poll } = setup({ asyncCapacity: 0 });
    expect((await failure(poll(LLAMA, "no-such-id"))).message).toMatch(/^5004: /);
    const { request_id } = await submit(LLAMA, [{ prompt: "p" }]);
    expect((await failure(poll(GPT_OSS, request_id))).message).toMatch(/^5004: /);
    clock.now += 60 * 60_000 - 1;
    expect(await poll(LLAMA, request_id)).toHaveProperty("responses");
    clock.now += 1;
    expect((await failure(poll(LLAMA, request_id))).message).toMatch(/^5004: /);
  });
});

describe("WorkersAiSimulator async batch: refused submissions", () => {
  it.each([
    ["a model without async_queue", "@cf/meta/llama-3.1-8b-instruct-fast", [{ prompt: "p" }], /^5006: /],
    ["a schema with an async branch but no async_queue", "@cf/baai/bge-m3", [{ text: "t" }], /^5006: /],
    ["a model with no published schema", "@cf/moonshotai/kimi-k2.6", [{ prompt: "p" }], /^5006: /],
    ["no items", LLAMA, [], /^5006: /],
    ["an invalid item", LLAMA, [{ prompt: "ok" }, { prompt: "hot", temperature: 9 }], /'\/requests\/1'/],
    ["an item with nothing to run", LLAMA, [{ external_reference: "empty" }], /^5006: /],
    ["an invalid embedding item", BGE, [{ text: "" }], /^5006: /],
    ["an item that is not an object", BGE, ["text"], /^5006: /],
  ])("refuses %s", async (_label, model, requests, message) => {
    const { submit } = setup();
    const err = await failure(submit(model, requests));
    expect(err.name).toBe("AiError");
    expect(err.message).toMatch(message);
  });

  it("refuses a payload of 10 MB or more with 3006, and a refused one takes no queue time", async () => {
    const { clock, submit, poll, sent } = setup({ asyncCapacity: 60 });
    const big = Array.from({ length: 11 }, () => ({ prompt: "x".repeat(1_000_000) }));
    expect((await failure(submit(LLAMA, big))).message).toMatch(/^3006: /);
    expect(sent).toEqual([]);
    const { request_id } = await submit(LLAMA, [{ prompt: "small" }]);
    clock.now += 1_000;
    expect(await poll(LLAMA, request_id)).toHaveProperty("responses");
  });
});

describe("WorkersAiSimulator async batch: events", () => {
  it("sends queued at once and succeeded delayed until the request is done", async () => {
    const { clock, submit, sent } = setup({ asyncCapacity: 7 });
    const { request_id } = await submit(BGE, [{ text: "a" }, { text: "b" }, { text: "c" }]);
    expect(sent.map((s) => [s.event.type, s.delaySeconds])).toEqual([
      ["cf.workersAi.model.batch.queued", undefined],
      // 3 items at 7 a minute: 25.7 s, rounded up
      ["cf.workersAi.model.batch.succeeded", 26],
    ]);
    for (const { event } of sent) {
      expect(WorkersAiBatchEventSchema.parse(event)).toEqual(event);
      expect(event).toMatchObject({
        source: { type: "workersAi.model", modelName: BGE },
        payload: { requestId: request_id },
        metadata: { eventSchemaVersion: 1 },
      });
    }
    expect(sent[0]?.event.metadata.eventTimestamp).toBe(new Date(clock.now).toISOString());
  });

  it("sends failed with the code, HTTP status and message for a failed request", async () => {
    const { submit, sent } = setup({ asyncCapacity: 60 });
    const { request_id } = await submit(LLAMA, [{ prompt: "[sim:async_request_fail=3040]" }]);
    expect(sent[1]).toEqual({
      event: expect.objectContaining({
        type: "cf.workersAi.model.batch.failed",
        payload: { requestId: request_id, message: expect.any(String), internalCode: 3040, httpCode: 429 },
      }),
      delaySeconds: 1,
    });
  });

  it("loses the completion event for [sim:async_lose_event], and polling still answers", async () => {
    const { clock, submit, poll, sent } = setup({ asyncCapacity: 60 });
    const { request_id } = await submit(LLAMA, [
      { prompt: "ok" },
      { prompt: "quiet [sim:async_lose_event]" },
    ]);
    expect(sent.map((s) => s.event.type)).toEqual(["cf.workersAi.model.batch.queued"]);
    clock.now += 2_000;
    expect(await poll(LLAMA, request_id)).toHaveProperty("responses");
  });

  it("still queues the request when the event queue throws", async () => {
    const sim = new WorkersAiSimulator({
      config: { ...DEFAULT_SIMULATOR_CONFIG, asyncCapacity: 0 },
      state: new SimulatorState(),
      events: {
        send: async () => {
          throw new Error("queue down");
        },
      },
    });
    const queued = (await sim.run(LLAMA, { requests: [{ prompt: "p" }] }, QUEUE)) as { request_id: string };
    expect(await sim.run(LLAMA, { request_id: queued.request_id })).toHaveProperty("responses");
  });
});
