import { describe, expect, it } from "vitest";
import { affinityKey, promptPrefix } from "../../src/inference/prefix-affinity";
import { GPT_OSS, inferenceRequest, LLAMA_8B, LLAMA_70B } from "./fixtures";

const SYSTEM = { role: "system", content: "You are a terse classifier." };
const TOOLS = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];

function user(content: string) {
  return { role: "user", content };
}

describe("promptPrefix", () => {
  it("is the leading system and developer messages", () => {
    const developer = { role: "developer", content: "Answer in JSON." };
    const prefix = promptPrefix({ messages: [SYSTEM, developer, user("hi")] });
    expect(prefix).not.toBeNull();
    expect(JSON.parse(prefix as string)).toEqual({
      instructions: [SYSTEM.content, developer.content],
      tools: null,
    });
  });

  it("does not change with the user's turn", () => {
    expect(promptPrefix({ messages: [SYSTEM, user("first")] })).toBe(
      promptPrefix({ messages: [SYSTEM, user("second, and longer")] }),
    );
  });

  it("takes Responses `instructions` and the leading instruction items of an `input` list", () => {
    expect(JSON.parse(promptPrefix({ instructions: "Be kind.", input: "hello" }) as string)).toEqual({
      instructions: ["Be kind."],
      tools: null,
    });
    const fromInput = promptPrefix({ input: [SYSTEM, user("hello")] });
    expect(JSON.parse(fromInput as string).instructions).toEqual([SYSTEM.content]);
  });

  it("includes the tools, so lines with other tools do not share a prefix", () => {
    const withTools = promptPrefix({ messages: [SYSTEM, user("hi")], tools: TOOLS });
    expect(JSON.parse(withTools as string).tools).toEqual(TOOLS);
    expect(withTools).not.toBe(promptPrefix({ messages: [SYSTEM, user("hi")] }));
  });

  it("is null when the line has no instructions", () => {
    expect(promptPrefix({ messages: [user("hi")] })).toBeNull();
    expect(promptPrefix({ input: "hello" })).toBeNull();
    expect(promptPrefix({ messages: [] })).toBeNull();
  });

  it("ignores a system message that comes after a user one", () => {
    expect(promptPrefix({ messages: [user("hi"), SYSTEM] })).toBeNull();
    const late = promptPrefix({ messages: [SYSTEM, user("hi"), { role: "system", content: "Later." }] });
    expect(JSON.parse(late as string).instructions).toEqual([SYSTEM.content]);
  });
});

describe("affinityKey", () => {
  const chat = (model: typeof LLAMA_8B, messages: unknown[]) =>
    inferenceRequest("/v1/chat/completions", { messages }, model);

  it("is the same for lines of one model and prefix, whatever the user asks", async () => {
    const a = await affinityKey(chat(LLAMA_8B, [SYSTEM, user("classify: apples")]));
    const b = await affinityKey(chat(LLAMA_8B, [SYSTEM, user("classify: pears")]));
    expect(a).toMatch(/^pfx-[0-9a-f]{32}$/);
    expect(b).toBe(a);
  });

  it("differs across models and across prefixes", async () => {
    const base = await affinityKey(chat(LLAMA_8B, [SYSTEM, user("q")]));
    const otherModel = await affinityKey(chat(LLAMA_70B, [SYSTEM, user("q")]));
    const otherModel2 = await affinityKey(chat(GPT_OSS, [SYSTEM, user("q")]));
    const otherPrefix = await affinityKey(
      chat(LLAMA_8B, [{ role: "system", content: "Be verbose." }, user("q")]),
    );
    expect(new Set([base, otherModel, otherModel2, otherPrefix]).size).toBe(4);
  });

  it("is null for a line without a prefix", async () => {
    expect(await affinityKey(chat(LLAMA_8B, [user("just a question")]))).toBeNull();
  });
});
