import { describe, expect, it } from "vitest";
import { DEFAULT_SIMULATOR_CONFIG, type SimulatorConfig } from "../../../src/inference/simulator/config";
import { SimulatorState, WorkersAiSimulator } from "../../../src/inference/simulator/simulator";

const LLAMA = "@cf/meta/llama-3.1-8b-instruct-fast";
const TOOLS_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
/** Its output schema declares `usage`; llama-3.1-8b-instruct-fast's does not. */
const USAGE_MODEL = TOOLS_MODEL;
const user = (content: string) => ({ messages: [{ role: "user", content }] });

function simulator(config: Partial<SimulatorConfig> = {}, now: () => number = () => 0) {
  const sleeps: number[] = [];
  const sim = new WorkersAiSimulator({
    config: { ...DEFAULT_SIMULATOR_CONFIG, ...config },
    state: new SimulatorState(),
    now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { sim, sleeps };
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

describe("WorkersAiSimulator.run: text generation", () => {
  it("answers {response, usage} like Workers AI, deterministically", async () => {
    const { sim } = simulator();
    const first = await sim.run(USAGE_MODEL, user("What is a batch?"));
    expect(first).toEqual({
      response: expect.stringContaining('to "What is a batch?"'),
      usage: { prompt_tokens: 4, completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    });
    expect(await simulator().sim.run(USAGE_MODEL, user("What is a batch?"))).toEqual(first);
    expect(await sim.run(USAGE_MODEL, user("Something else"))).not.toEqual(first);
  });

  it("leaves usage out where the model's output schema has none", async () => {
    expect(await simulator().sim.run(LLAMA, user("What is a batch?"))).toEqual({
      response: expect.stringContaining('to "What is a batch?"'),
    });
  });

  it("counts ≈4 characters per token and bounds the completion by max_tokens", async () => {
    const { sim } = simulator();
    const full = (await sim.run(USAGE_MODEL, user("x".repeat(400)))) as {
      response: string;
      usage: Record<string, number>;
    };
    expect(full.usage.prompt_tokens).toBe(100);
    expect(full.usage.completion_tokens).toBe(Math.ceil(full.response.length / 4));
    expect(full.usage.total_tokens).toBe(100 + Math.ceil(full.response.length / 4));
    const short = (await sim.run(USAGE_MODEL, { ...user("x".repeat(400)), max_tokens: 3 })) as {
      response: string;
      usage: Record<string, number>;
    };
    expect(short.usage.completion_tokens).toBe(3);
    expect(short.response).toBe(full.response.slice(0, 12));
  });

  it("accepts a prompt", async () => {
    const { sim } = simulator();
    expect(await sim.run(LLAMA, { prompt: "Once upon" })).toMatchObject({ response: expect.any(String) });
  });

  it("answers JSON mode with an object that follows the schema", async () => {
    const { sim } = simulator();
    const schema = {
      type: "object",
      properties: {
        name: { type: "string" },
        tags: { type: "array", items: { type: "string" } },
        n: { type: "integer" },
      },
    };
    const format = { type: "json_schema", json_schema: schema };
    const out = (await sim.run(TOOLS_MODEL, { ...user("Tell me"), response_format: format })) as {
      response: Record<string, unknown>;
    };
    expect(out.response).toEqual({ name: expect.any(String), tags: [expect.any(String)], n: 1 });
    // a model whose schema has no response_format ignores it
    const plain = (await sim.run(LLAMA, { ...user("Tell me"), response_format: format })) as {
      response: unknown;
    };
    expect(typeof plain.response).toBe("string");
  });

  it("calls a tool when the model supports function calling", async () => {
    const { sim } = simulator();
    const tools = [
      {
        type: "function",
        function: {
          name: "weather",
          description: "Current weather",
          parameters: { type: "object", properties: { city: { type: "string", description: "City" } } },
        },
      },
    ];
    const out = await sim.run(TOOLS_MODEL, { ...user("Weather in Paris?"), tools });
    expect(out).toMatchObject({
      response: "",
      tool_calls: [{ name: "weather", arguments: { city: expect.any(String) } }],
    });
    const afterTool = await sim.run(TOOLS_MODEL, {
      messages: [...user("Weather in Paris?").messages, { role: "tool", content: "sunny" }],
      tools,
    });
    expect(afterTool).not.toHaveProperty("tool_calls");
    expect(await sim.run(LLAMA, { ...user("Weather in Paris?"), tools })).not.toHaveProperty("tool_calls");
  });

  it("refuses a tool without the description Workers AI's schema requires, with 5006", async () => {
    const tools = [
      { type: "function", function: { name: "weather", parameters: { type: "object", properties: {} } } },
    ];
    const err = await failure(simulator().sim.run(TOOLS_MODEL, { ...user("Weather?"), tools }));
    expect(err.message).toMatch(/^5006: Error: oneOf at '\/' not met/);
    expect(err.message).toContain("/tools/0");
  });

  it("answers gpt-oss in its OpenAI shapes: a chat completion for messages, a response for input", async () => {
    const { sim } = simulator();
    const chat = await sim.run("@cf/openai/gpt-oss-120b", user("Hi"));
    expect(chat).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { role: "assistant", content: expect.any(String) }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1 },
    });
    const response = await sim.run("@cf/openai/gpt-oss-120b", { input: "Hi", reasoning: { effort: "low" } });
    expect(response).toMatchObject({
      object: "response",
      output: [{ type: "reasoning" }, { type: "message", content: [{ type: "output_text" }] }],
      usage: { input_tokens: 1 },
    });
    const err = await failure(
      sim.run("@cf/openai/gpt-oss-120b", { input: "Hi", reasoning: { effort: "max" } }),
    );
    expect(err.message).toMatch(/^5006: /);
  });

  it("runs a LoRA adapter on a LoRA model and refuses it elsewhere with 5005", async () => {
    const { sim } = simulator();
    const tuned = (await sim.run(TOOLS_MODEL, { ...user("Hi"), lora: "support-bot" })) as {
      response: string;
    };
    expect(tuned.response).toContain("adapter support-bot");
    expect((await failure(sim.run(LLAMA, { ...user("Hi"), lora: "support-bot" }))).message).toMatch(
      /^5005: /,
    );
  });

  it.each([
    ["an unknown model", "@cf/none/nothing", user("Hi"), /^5007: No such model/],
    ["a body with neither prompt nor messages", LLAMA, { text: "Hi" }, /^5006: /],
    ["embeddings without text", "@cf/baai/bge-m3", { input: "Hi" }, /^5006: /],
  ])("throws like the binding for %s", async (_label, model, inputs, message) => {
    const err = await failure(simulator().sim.run(model, inputs));
    expect(err.name).toBe("AiError");
    expect(err.message).toMatch(message);
  });
});

describe("WorkersAiSimulator.run: embeddings", () => {
  it.each([
    ["@cf/baai/bge-base-en-v1.5", 768],
    ["@cf/baai/bge-large-en-v1.5", 1024],
    ["@cf/baai/bge-m3", 1024],
  ])("%s answers {shape, data} with %i dimensions", async (model, dimensions) => {
    const out = (await simulator().sim.run(model, { text: ["a", "b"] })) as {
      shape: number[];
      data: number[][];
    };
    expect(out.shape).toEqual([2, dimensions]);
    expect(out.data).toHaveLength(2);
    expect(out.data[0]).toHaveLength(dimensions);
    const norm = Math.sqrt((out.data[0] ?? []).reduce((sum, x) => sum + x * x, 0));
    expect(norm).toBeCloseTo(1, 6);
  });

  it("gives the same text the same vector", async () => {
    const { sim } = simulator();
    const a = (await sim.run("@cf/baai/bge-base-en-v1.5", { text: ["same", "other", "same"] })) as {
      data: number[][];
    };
    expect(a.data[0]).toEqual(a.data[2]);
    expect(a.data[0]).not.toEqual(a.data[1]);
  });
});

describe("WorkersAiSimulator: limits, latency and injected errors", () => {
  it("answers 3040 past the RPM limit of the account's task pool, until the minute has passed", async () => {
    let now = 1_000_000;
    const { sim } = simulator({ rpmLimit: 3 }, () => now);
    for (let i = 0; i < 3; i++) {
      await sim.run(LLAMA, user(`q${i}`));
    }
    const err = await failure(sim.run(LLAMA, user("q3")));
    expect(err.message).toMatch(/^3040: /);
    // every text-generation model draws on the same budget; embeddings have their own
    expect((await failure(sim.run(TOOLS_MODEL, user("another model")))).message).toMatch(/^3040: /);
    await sim.run("@cf/baai/bge-m3", { text: "an embedding" });
    now += 59_999;
    expect((await failure(sim.run(LLAMA, user("q4")))).message).toMatch(/^3040: /);
    now += 1;
    await expect(sim.run(LLAMA, user("q5"))).resolves.toBeDefined();
  });

  it("waits the configured latency, or a per-request one", async () => {
    const { sim, sleeps } = simulator({ latencyMs: 150 });
    await sim.run(LLAMA, user("a"));
    await sim.run(LLAMA, user("b [sim:latency=20]"));
    expect(sleeps).toEqual([150, 20]);
  });

  it("fails [sim:fail=3040x2] twice, then succeeds", async () => {
    const { sim } = simulator();
    const inputs = user("retry me [sim:fail=3040x2]");
    expect((await failure(sim.run(LLAMA, inputs))).message).toMatch(/^3040: /);
    expect((await failure(sim.run(LLAMA, inputs))).message).toMatch(/^3040: /);
    await expect(sim.run(LLAMA, inputs)).resolves.toHaveProperty("response");
  });

  it("always fails [sim:fail=5007]", async () => {
    const { sim } = simulator();
    for (let i = 0; i < 3; i++) {
      expect((await failure(sim.run(LLAMA, user("never [sim:fail=5007]")))).message).toMatch(/^5007: /);
    }
  });

  it("fails a share of attempts with the transient code, decided per request and attempt", async () => {
    const { sim } = simulator({ transientErrorRate: 0.5, transientErrorCode: "3007" });
    let failures = 0;
    let recovered = 0;
    for (let i = 0; i < 100; i++) {
      const inputs = user(`line ${i}`);
      let attempts = 0;
      for (;;) {
        attempts += 1;
        try {
          await sim.run(LLAMA, inputs);
          break;
        } catch (err) {
          expect(String(err)).toMatch(/AiError: 3007: /);
          failures += 1;
        }
      }
      recovered += attempts > 1 ? 1 : 0;
    }
    expect(failures).toBeGreaterThan(60);
    expect(failures).toBeLessThan(140);
    expect(recovered).toBeGreaterThan(30);
  });

  it("fails a share of requests permanently, the same ones every time", async () => {
    const run = async () => {
      const { sim } = simulator({ permanentErrorRate: 0.3, permanentErrorCode: "3006" });
      const failed: number[] = [];
      for (let i = 0; i < 100; i++) {
        try {
          await sim.run(LLAMA, user(`line ${i}`));
        } catch {
          failed.push(i);
        }
      }
      return failed;
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(15);
    expect(first.length).toBeLessThan(45);
    expect(await run()).toEqual(first);
  });
});

describe("WorkersAiSimulator.models", () => {
  it("answers like env.AI.models(): name is the model id, task a name", async () => {
    const models = await simulator().sim.models();
    const lora = models.find((m) => m.name === TOOLS_MODEL);
    expect(lora).toMatchObject({ task: { name: "Text Generation" }, source: 1 });
    expect(lora?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lora?.properties).toContainEqual({ property_id: "lora", value: "true" });
  });

  it("filters by task and search, and paginates", async () => {
    const { sim } = simulator();
    const embeddings = await sim.models({ task: "Text Embeddings" });
    expect(embeddings.map((m) => m.name)).toEqual([
      "@cf/baai/bge-base-en-v1.5",
      "@cf/baai/bge-large-en-v1.5",
      "@cf/baai/bge-m3",
    ]);
    expect((await sim.models({ search: "kimi" })).map((m) => m.name)).toEqual(["@cf/moonshotai/kimi-k2.6"]);
    expect(await sim.models({ task: "Text Embeddings", per_page: 2, page: 2 })).toEqual([embeddings[2]]);
  });
});
