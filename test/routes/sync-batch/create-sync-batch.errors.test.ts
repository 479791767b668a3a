import { describe, expect, it } from "vitest";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { CHAT_MODEL, chatBody, EMBEDDING_MODEL, syncBatch } from "../../helpers/sync-batch";

const ok = (id: string | number) => [id, chatBody(`row ${id}`)];

describe("POST /v1/batch/chat/completions rejects the whole call", () => {
  it.each<[string, unknown, string | null, string]>([
    ["no data", {}, "data", "missing_required_parameter"],
    ["data that is not an array", { data: { 1: chatBody("x") } }, "data", "invalid_type"],
    ["empty data", { data: [] }, "data", "empty_array"],
    ["a row that is not an array", { data: [ok(1), { id: 2 }] }, "data[1]", "invalid_type"],
    ["a row with only an id", { data: [ok(1), ok(2), [3]] }, "data[2]", "invalid_value"],
    ["a row with three elements", { data: [[1, chatBody("x"), "extra"]] }, "data[0]", "invalid_value"],
    ["a row whose body is a string", { data: [ok(1), [2, "Say hello"]] }, "data[1]", "invalid_type"],
    ["a row whose body is an array", { data: [[1, [chatBody("x")]]] }, "data[0]", "invalid_type"],
    ["an id that is an object", { data: [ok(1), [{ n: 2 }, chatBody("x")]] }, "data[1]", "invalid_type"],
    ["an id that is null", { data: [[null, chatBody("x")]] }, "data[0]", "invalid_type"],
    ["an id that is a boolean", { data: [ok("a"), [true, chatBody("x")]] }, "data[1]", "invalid_type"],
    ["duplicate numeric ids", { data: [ok(1), ok(2), ok(3), ok(2)] }, "data[3]", "duplicate_id"],
    ["duplicate string ids", { data: [ok("a"), ok("a")] }, "data[1]", "duplicate_id"],
    ["a number id after string ids", { data: [ok("1"), ok("2"), ok(3)] }, "data[2]", "mixed_id_types"],
    ["a string id after number ids", { data: [ok(1), ok("2")] }, "data[1]", "mixed_id_types"],
    [
      "a missing model",
      { data: [ok(1), ok(2), ok(3), [4, { messages: [] }]] },
      "data[3].model",
      "missing_required_parameter",
    ],
    [
      "a null model",
      { data: [[1, chatBody("x", { model: null })]] },
      "data[0].model",
      "missing_required_parameter",
    ],
    [
      "an empty model",
      { data: [ok(1), [2, chatBody("x", { model: "" })]] },
      "data[1].model",
      "missing_required_parameter",
    ],
    [
      "a model that is a number",
      { data: [[1, chatBody("x", { model: 7 })]] },
      "data[0].model",
      "invalid_type",
    ],
    ["a body that is an array", [[1, chatBody("x")]], null, "invalid_type"],
    ["a base model that is not a string", { model: 5, data: [ok(1)] }, "model", "invalid_type"],
    ["an unknown base model", { model: "gpt-17", data: [[1, { messages: [] }]] }, "model", "model_not_found"],
  ])("answers 400 for %s", async (_label, body, param, code) => {
    const res = await syncBatch<ErrorEnvelope>("chat/completions", body);
    expect(res.status).toBe(400);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", param, code });
  });

  it("reports the first bad row in request order", async () => {
    const res = await syncBatch<ErrorEnvelope>("chat/completions", {
      data: [ok(1), [2, { messages: [] }], [3]],
    });
    expect(res.body.error).toMatchObject({ param: "data[1].model" });
  });

  it("answers 400 for malformed JSON", async () => {
    const res = await call<ErrorEnvelope>("POST", "/v1/batch/chat/completions", {
      body: '{"data": [[1, {"model": "x"}]',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe("invalid_request_error");
  });

  it("answers 400 pointing to /v1/batches for more than 100 requests", async () => {
    const data = Array.from({ length: 101 }, (_, i) => [i, { model: EMBEDDING_MODEL, input: "x" }]);
    const res = await syncBatch<ErrorEnvelope>("embeddings", { data });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ param: "data", code: "too_many_items" });
    expect(res.body.error.message).toContain("/v1/batches");
  });

  it("accepts exactly 100 requests", async () => {
    const data = Array.from({ length: 100 }, (_, i) => [i, { model: EMBEDDING_MODEL, input: `text ${i}` }]);
    const res = await syncBatch<{ data: unknown[] }>("embeddings", { data });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(100);
  });

  const oversized = JSON.stringify({
    data: [[1, { model: CHAT_MODEL, messages: [{ role: "user", content: "x".repeat(1024 * 1024) }] }]],
  });

  it("answers 400 pointing to /v1/batches for a body over 1 MiB", async () => {
    const res = await call<ErrorEnvelope>("POST", "/v1/batch/chat/completions", {
      body: oversized,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
    expect(res.body.error.message).toContain("/v1/batches");
  });

  it("counts the bytes of a body sent without Content-Length", async () => {
    const bytes = new TextEncoder().encode(oversized);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
          controller.enqueue(bytes.slice(offset, offset + 64 * 1024));
        }
        controller.close();
      },
    });
    const res = await call<ErrorEnvelope>("POST", "/v1/batch/chat/completions", {
      body: stream,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("request_too_large");
  });

  it("accepts a streamed body under the limit", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ data: [ok(1)] }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 10));
        controller.enqueue(bytes.slice(10));
        controller.close();
      },
    });
    const res = await call<{ data: unknown[] }>("POST", "/v1/batch/chat/completions", {
      body: stream,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
  });
});
