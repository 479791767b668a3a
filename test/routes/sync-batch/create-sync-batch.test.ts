import { describe, expect, it } from "vitest";
import { SyncBatchResponseSchema } from "../../../src/schemas/sync-batch";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import {
  CHAT_MODEL,
  chatBody,
  EMBEDDING_MODEL,
  type Row,
  type SyncBatchPath,
  syncBatch,
  uniquePrompt,
} from "../../helpers/sync-batch";

function ids(rows: Row[]): Array<string | number> {
  return rows.map(([id]) => id);
}

describe("POST /v1/batch/chat/completions", () => {
  it("answers every request in its place, failures as OpenAI errors, with 200", async () => {
    const res = await syncBatch("chat/completions", {
      data: [
        [3, chatBody(uniquePrompt("[sim:fail=3040x2] busy twice, then fine"))],
        [1, chatBody("Say hello")],
        [2, chatBody("[sim:fail=5007] always fails")],
        [4, { model: CHAT_MODEL, messages: [] }],
        [5, chatBody("hi", { model: "no-such-model" })],
        [6, chatBody("hi", { stream: true })],
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const rows = SyncBatchResponseSchema.parse(res.body).data;
    expect(ids(rows)).toEqual([1, 2, 3, 4, 5, 6]);
    const byId = new Map(rows);
    expect(byId.get(1)).toMatchObject({
      object: "chat.completion",
      model: CHAT_MODEL,
      choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "stop" }],
    });
    expect(byId.get(2)).toEqual({
      error: {
        message: expect.stringContaining("5007"),
        type: "invalid_request_error",
        param: null,
        code: "5007",
      },
    });
    // the transient 3040s were retried like a batch line's, so the request succeeded
    expect(byId.get(3)).toMatchObject({ object: "chat.completion" });
    expect(byId.get(4)).toEqual({
      error: expect.objectContaining({
        type: "invalid_request_error",
        param: "messages",
        code: "empty_array",
      }),
    });
    expect(byId.get(5)).toEqual({
      error: expect.objectContaining({
        type: "invalid_request_error",
        param: "model",
        code: "model_not_found",
      }),
    });
    expect(byId.get(6)).toEqual({
      error: expect.objectContaining({ param: "stream", code: "streaming_unsupported" }),
    });
  });

  it("maps aliases like batch lines do", async () => {
    const res = await syncBatch("chat/completions", {
      data: [["a", chatBody("hi", { model: "gpt-4o-mini" })]],
    });
    expect(res.status).toBe(200);
    expect(res.body.data[0]?.[1]).toMatchObject({ object: "chat.completion", model: "gpt-4o-mini" });
  });

  it("runs rows without a model on the call's base model, and other names as LoRA adapters", async () => {
    const base = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
    const res = await syncBatch("chat/completions", {
      model: base,
      data: [
        [1, { messages: [{ role: "user", content: "hi" }] }],
        [2, chatBody("hi", { model: "my-adapter" })],
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.data.map(([, response]) => response.model)).toEqual([base, "my-adapter"]);
  });

  it("sorts numeric ids numerically", async () => {
    const given = [10, 9, 100, -3, 2.5, 0];
    const res = await syncBatch("chat/completions", { data: given.map((id) => [id, chatBody(`n ${id}`)]) });
    expect(res.status).toBe(200);
    expect(ids(res.body.data)).toEqual([-3, 0, 2.5, 9, 10, 100]);
  });

  it("sorts string ids lexicographically", async () => {
    const given = ["b", "a10", "a9", "B", "10", "9"];
    const res = await syncBatch("chat/completions", { data: given.map((id) => [id, chatBody(`s ${id}`)]) });
    expect(res.status).toBe(200);
    expect(ids(res.body.data)).toEqual(["10", "9", "B", "a10", "a9", "b"]);
  });

  it("keeps each response with its own id", async () => {
    const prompts = ["first question", "second question", "third question"];
    const batched = await syncBatch("chat/completions", {
      data: prompts.map((prompt, i) => [i, chatBody(prompt)]),
    });
    const single = await syncBatch("chat/completions", { data: [[0, chatBody(prompts[2] as string)]] });
    const content = (row: Row | undefined) =>
      (row?.[1] as { choices: [{ message: { content: string } }] } | undefined)?.choices[0].message.content;
    // the simulator's text is a function of the prompt, so the same prompt alone gives the same text
    expect(content(batched.body.data[2])).toEqual(expect.any(String));
    expect(content(batched.body.data[2])).toBe(content(single.body.data[0]));
    expect(content(batched.body.data[0])).not.toBe(content(batched.body.data[2]));
  });

  describeAuthCases((key) => syncBatch("chat/completions", { data: [[1, chatBody("hi")]] }, { key }));
});

describe("POST /v1/batch/completions", () => {
  it("answers text completions", async () => {
    const res = await syncBatch("completions", {
      data: [
        [2, { model: CHAT_MODEL, prompt: "Once upon a time" }],
        [1, { model: CHAT_MODEL }],
      ],
    });
    expect(res.status).toBe(200);
    const [first, second] = SyncBatchResponseSchema.parse(res.body).data;
    expect(first).toEqual([
      1,
      { error: expect.objectContaining({ param: "prompt", message: "Prompt parameter is required." }) },
    ]);
    expect(second?.[1]).toMatchObject({ object: "text_completion", choices: [{ text: expect.any(String) }] });
  });

  describeAuthCases((key) =>
    syncBatch("completions", { data: [[1, { model: CHAT_MODEL, prompt: "x" }]] }, { key }),
  );
});

describe("POST /v1/batch/embeddings", () => {
  it("answers embeddings, and refuses a chat model for them per request", async () => {
    const res = await syncBatch("embeddings", {
      data: [
        ["x", { model: EMBEDDING_MODEL, input: ["one", "two"] }],
        ["y", { model: CHAT_MODEL, input: "wrong task" }],
      ],
    });
    expect(res.status).toBe(200);
    const [x, y] = SyncBatchResponseSchema.parse(res.body).data;
    const list = x?.[1] as { object: string; data: Array<{ embedding: number[] }> };
    expect(list.object).toBe("list");
    expect(list.data.map((e) => e.embedding.length)).toEqual([768, 768]);
    expect(y?.[1]).toEqual({ error: expect.objectContaining({ param: "model", code: "invalid_request" }) });
  });

  describeAuthCases((key) =>
    syncBatch("embeddings", { data: [[1, { model: EMBEDDING_MODEL, input: "x" }]] }, { key }),
  );
});

describe("the synchronous batch routes in /openapi.json", () => {
  it.each<[SyncBatchPath, string]>([
    ["responses", "createSyncResponsesBatch"],
    ["chat/completions", "createSyncChatCompletionsBatch"],
    ["completions", "createSyncCompletionsBatch"],
    ["embeddings", "createSyncEmbeddingsBatch"],
  ])("documents POST /v1/batch/%s", async (path, operationId) => {
    const doc = await call<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(
      "GET",
      "/openapi.json",
      { key: null },
    );
    const operation = doc.body.paths[`/v1/batch/${path}`]?.post;
    expect(operation).toMatchObject({
      operationId,
      tags: ["sync_batch"],
      summary: expect.any(String),
      security: [{ bearerAuth: [] }],
    });
    expect(Object.keys(operation?.responses ?? {})).toEqual(["200", "400", "401", "500"]);
  });
});
