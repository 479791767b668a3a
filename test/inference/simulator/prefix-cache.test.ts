import { describe, expect, it } from "vitest";
import { DEFAULT_SIMULATOR_CONFIG } from "../../../src/inference/simulator/config";
import { affinityKey, promptPrefix } from "../../../src/inference/simulator/prefix-cache";
import { SimulatorState, WorkersAiSimulator } from "../../../src/inference/simulator/simulator";

/** Its output carries `usage`, where cached tokens are reported. */
const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const GPT_OSS = "@cf/openai/gpt-oss-120b";
/** 1,200 characters: over the 1,024-character block, 300 tokens by the 4-characters estimate. */
const SYSTEM = "You are a careful assistant. ".repeat(50).slice(0, 1200);

type Usage = { prompt_tokens: number; prompt_tokens_details?: { cached_tokens: number } };

const chat = (system: string, user: string) => ({
  messages: [
    { role: "system", content: system },
    { role: "user", content: user },
  ],
});
const affinity = (key: string) => ({ extraHeaders: { "x-session-affinity": key } });

function simulator() {
  return new WorkersAiSimulator({
    config: { ...DEFAULT_SIMULATOR_CONFIG, asyncCapacity: 0 },
    state: new SimulatorState(),
    now: () => 0,
  });
}

async function usageOf(promise: Promise<unknown>): Promise<Usage> {
  return ((await promise) as { usage: Usage }).usage;
}

describe("prefix caching: sync calls", () => {
  it("reports the prefix as cached from the second request under the same affinity key", async () => {
    const sim = simulator();
    const cold = await usageOf(sim.run(LLAMA, chat(SYSTEM, "first"), affinity("session-a")));
    expect(cold.prompt_tokens_details).toBeUndefined();
    const warm = await usageOf(sim.run(LLAMA, chat(SYSTEM, "second"), affinity("session-a")));
    expect(warm.prompt_tokens_details).toEqual({ cached_tokens: 300 });
    expect(warm.prompt_tokens).toBeGreaterThan(300);
  });

  it("misses under another key, another model, or without the header", async () => {
    const sim = simulator();
    await sim.run(LLAMA, chat(SYSTEM, "first"), affinity("session-a"));
    const otherKey = await usageOf(sim.run(LLAMA, chat(SYSTEM, "c"), affinity("session-c")));
    expect(otherKey.prompt_tokens_details).toBeUndefined();
    const otherModel = (await sim.run(GPT_OSS, chat(SYSTEM, "d"), affinity("session-a"))) as { usage: Usage };
    expect(otherModel.usage.prompt_tokens_details).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      expect(
        (await usageOf(sim.run(LLAMA, chat(SYSTEM, `no header ${i}`)))).prompt_tokens_details,
      ).toBeUndefined();
    }
  });

  it("never caches a prefix shorter than the 1,024-character block", async () => {
    const sim = simulator();
    const short = SYSTEM.slice(0, 1000);
    await sim.run(LLAMA, chat(short, "one"), affinity("k"));
    expect(
      (await usageOf(sim.run(LLAMA, chat(short, "two"), affinity("k")))).prompt_tokens_details,
    ).toBeUndefined();
  });

  it("reads the header from a Headers object and reports in chat.completion usage too", async () => {
    const sim = simulator();
    const headers = { extraHeaders: new Headers({ "X-Session-Affinity": "h" }) };
    await sim.run(GPT_OSS, chat(SYSTEM, "one"), headers);
    const warm = await usageOf(sim.run(GPT_OSS, chat(SYSTEM, "two"), headers));
    expect(warm.prompt_tokens_details).toEqual({ cached_tokens: 300 });
  });

  it("counts tools in the prefix, and never reports more than the prompt's tokens", async () => {
    const sim = simulator();
    const tools = [
      {
        type: "function",
        function: {
          name: "lookup",
          description: "d".repeat(2_000),
          parameters: { type: "object", properties: {} },
        },
      },
    ];
    const inputs = { messages: [{ role: "user", content: "short" }], tools };
    await sim.run(LLAMA, inputs, affinity("tools"));
    const warm = await usageOf(sim.run(LLAMA, inputs, affinity("tools")));
    expect(warm.prompt_tokens_details?.cached_tokens).toBe(warm.prompt_tokens);
  });
});

describe("prefix caching: async batches", () => {
  it("applies the submission's affinity key to every item, in queue order", async () => {
    const sim = simulator();
    const items = ["one", "two", "three"].map((user) => chat(SYSTEM, user));
    const submit = (extra: AiOptions) =>
      sim.run(LLAMA, { requests: items }, { queueRequest: true, ...extra }) as Promise<{
        request_id: string;
      }>;
    const cachedById = async (requestId: string) => {
      const done = (await sim.run(LLAMA, { request_id: requestId })) as {
        responses: { id: number; result: { usage: Usage } }[];
      };
      return Object.fromEntries(
        done.responses.map((r) => [r.id, r.result.usage.prompt_tokens_details?.cached_tokens ?? 0]),
      );
    };
    expect(await cachedById((await submit(affinity("batch"))).request_id)).toEqual({ 0: 0, 1: 300, 2: 300 });
    expect(await cachedById((await submit({})).request_id)).toEqual({ 0: 0, 1: 0, 2: 0 });
    // the batch warmed the key for later sync calls too
    const sync = await usageOf(sim.run(LLAMA, chat(SYSTEM, "after"), affinity("batch")));
    expect(sync.prompt_tokens_details).toEqual({ cached_tokens: 300 });
  });
});

describe("promptPrefix and affinityKey", () => {
  it("takes instructions, tools and the leading system or developer entries", () => {
    expect(
      promptPrefix({
        messages: [
          { role: "system", content: "a" },
          { role: "system", content: [{ type: "text", text: "b" }] },
          { role: "user", content: "u" },
          { role: "system", content: "late" },
        ],
      }),
    ).toBe("a\nb");
    expect(
      promptPrefix({
        instructions: "i",
        input: [
          { role: "developer", content: "d" },
          { role: "user", content: "u" },
        ],
      }),
    ).toBe("i\nd");
    expect(promptPrefix({ prompt: "bare" })).toBe("");
  });

  it("reads x-session-affinity case-insensitively and ignores empty values", () => {
    expect(affinityKey({ "X-Session-Affinity": "k" })).toBe("k");
    expect(affinityKey({ "x-session-affinity": "" })).toBeNull();
    expect(affinityKey(undefined)).toBeNull();
  });
});
