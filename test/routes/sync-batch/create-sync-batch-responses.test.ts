import { describe, expect, it } from "vitest";
import { SyncBatchResponseSchema } from "../../../src/schemas/sync-batch";
import { describeAuthCases } from "../../helpers/auth";
import { CHAT_MODEL, syncBatch } from "../../helpers/sync-batch";

const GPT_OSS = "@cf/openai/gpt-oss-120b";

describe("POST /v1/batch/responses", () => {
  it("answers Responses API bodies with response objects, and per-request errors in place", async () => {
    const res = await syncBatch("responses", {
      data: [
        ["a", { model: CHAT_MODEL, input: "Say hello", instructions: "Be brief.", max_output_tokens: 64 }],
        ["b", { model: CHAT_MODEL, instructions: "no input" }],
        ["c", { model: CHAT_MODEL, input: "hi", stream: true }],
        ["d", { model: CHAT_MODEL, input: "hi", text: { format: { type: "json_object" } } }],
        [
          "e",
          {
            model: GPT_OSS,
            input: [{ role: "user", content: "Reply in JSON" }],
            text: { format: { type: "json_object" } },
          },
        ],
      ],
    });
    expect(res.status).toBe(200);
    const byId = new Map(SyncBatchResponseSchema.parse(res.body).data);
    expect(byId.get("a")).toMatchObject({
      object: "response",
      status: "completed",
      model: CHAT_MODEL,
      instructions: "Be brief.",
      output: [{ type: "message", role: "assistant", content: [{ type: "output_text", annotations: [] }] }],
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    expect((byId.get("a") as { id: string }).id).toMatch(/^resp_/);
    expect(byId.get("b")).toEqual({
      error: expect.objectContaining({ param: "input", code: "missing_required_parameter" }),
    });
    expect(byId.get("c")).toEqual({
      error: expect.objectContaining({ param: "stream", code: "streaming_unsupported" }),
    });
    expect(byId.get("d")).toEqual({
      error: expect.objectContaining({ param: "text.format", code: "unsupported_parameter" }),
    });
    const json = byId.get("e") as { output: { type: string; content?: { text: string }[] }[] };
    const message = json.output.find((item) => item.type === "message");
    expect(() => JSON.parse(message?.content?.[0]?.text ?? "")).not.toThrow();
  });

  describeAuthCases((key) =>
    syncBatch("responses", { data: [[1, { model: CHAT_MODEL, input: "x" }]] }, { key }),
  );
});
