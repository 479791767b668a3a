import { describe, expect, it } from "vitest";
import { BatchSchema } from "../../../src/schemas/batch";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { CHAT_MODEL, chatLine, createBatch, jsonl, uploadJsonl, waitForBatch } from "../../helpers/batches";
import { PROJECT_B } from "../../helpers/projects";

async function inputFile(): Promise<string> {
  return uploadJsonl(jsonl([chatLine("a", "hello")]));
}

describe("POST /v1/batches", () => {
  it("creates a validating batch with every field of OpenAI's Batch object", async () => {
    const fileId = await inputFile();
    const res = await call("POST", "/v1/batches", {
      json: {
        input_file_id: fileId,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        metadata: { job: "nightly" },
        some_future_field: true,
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const batch = BatchSchema.parse(res.body);
    expect(batch).toMatchObject({
      object: "batch",
      endpoint: "/v1/chat/completions",
      input_file_id: fileId,
      completion_window: "24h",
      status: "validating",
      output_file_id: null,
      error_file_id: null,
      in_progress_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: { job: "nightly" },
    });
    expect(batch.id).toMatch(/^batch_/);
    expect(batch.expires_at).toBe(batch.created_at + 86400);
  });

  it("shows the base model from creation on, also when validation fails", async () => {
    const created = await createBatch(await inputFile(), { model: CHAT_MODEL });
    expect(created.model).toBe(CHAT_MODEL);
    const bad = await createBatch(await uploadJsonl(jsonl([chatLine("a", "x"), "{not json"])), {
      model: CHAT_MODEL,
    });
    expect(bad.model).toBe(CHAT_MODEL);
    const failed = await waitForBatch(bad.id);
    expect(failed).toMatchObject({ status: "failed", model: CHAT_MODEL });
  });

  it("learns the lines' model during validation when no base model is given, even if it fails", async () => {
    const failed = await waitForBatch(
      (await createBatch(await uploadJsonl(jsonl([chatLine("a", "x"), "{not json"])))).id,
    );
    expect(failed).toMatchObject({ status: "failed", model: CHAT_MODEL });
  });

  it("accepts a short completion window as an extension", async () => {
    const res = await call<{ expires_at: number; created_at: number }>("POST", "/v1/batches", {
      json: { input_file_id: await inputFile(), endpoint: "/v1/chat/completions", completion_window: "30m" },
    });
    expect(res.status).toBe(200);
    expect(res.body.expires_at - res.body.created_at).toBe(1800);
  });

  it.each([
    [
      "an unknown endpoint",
      { endpoint: "/v1/invalid/endpoint" },
      "endpoint",
      "invalid_value",
      "Invalid value: '/v1/invalid/endpoint'. Supported values are: '/v1/responses', '/v1/chat/completions', '/v1/completions', and '/v1/embeddings'.",
    ],
    ["an 8 day window", { completion_window: "8d" }, "completion_window", "invalid_value", undefined],
    ["an empty window", { completion_window: "" }, "completion_window", "invalid_value", undefined],
    ["a 1 second window", { completion_window: "1s" }, "completion_window", "invalid_value", undefined],
    [
      "a non-string metadata value",
      { metadata: { tags: ["a"] } },
      "metadata.tags",
      "invalid_type",
      "Invalid type for 'metadata.tags': expected a string, but got an array instead.",
    ],
    [
      "a metadata key over 64 characters",
      { metadata: { ["k".repeat(65)]: "v" } },
      `metadata.${"k".repeat(65)}`,
      "invalid_value",
      undefined,
    ],
    [
      "a metadata value over 512 characters",
      { metadata: { k: "v".repeat(513) } },
      "metadata.k",
      "invalid_value",
      undefined,
    ],
    [
      "17 metadata pairs",
      { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) },
      "metadata",
      "invalid_value",
      undefined,
    ],
    [
      "a missing input_file_id",
      { input_file_id: undefined },
      "input_file_id",
      "missing_required_parameter",
      undefined,
    ],
    ["a numeric input_file_id", { input_file_id: 42 }, "input_file_id", "invalid_type", undefined],
    [
      "output_expires_after under an hour",
      { output_expires_after: { anchor: "created_at", seconds: 60 } },
      "output_expires_after.seconds",
      "invalid_value",
      undefined,
    ],
  ])("answers 400 for %s", async (_label, override, param, code, message) => {
    const body = {
      input_file_id: "file-whatever",
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      ...override,
    };
    const res = await call<ErrorEnvelope>("POST", "/v1/batches", { json: body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", param, code });
    if (message) {
      expect(res.body.error.message).toBe(message);
    }
  });

  it("accepts metadata: null", async () => {
    const res = await call<{ metadata: unknown }>("POST", "/v1/batches", {
      json: {
        input_file_id: await inputFile(),
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        metadata: null,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.metadata).toBeNull();
  });

  it("answers 400 for malformed JSON and for a missing body", async () => {
    const malformed = await call<ErrorEnvelope>("POST", "/v1/batches", {
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.type).toBe("invalid_request_error");
    const empty = await call<ErrorEnvelope>("POST", "/v1/batches");
    expect(empty.status).toBe(400);
  });

  it("answers 400 for a file that does not exist or belongs to another project", async () => {
    const othersFile = await uploadJsonl(jsonl([chatLine("a", "x")]), PROJECT_B.key);
    for (const id of ["file-doesnotexist", othersFile]) {
      const res = await call<ErrorEnvelope>("POST", "/v1/batches", {
        json: { input_file_id: id, endpoint: "/v1/chat/completions", completion_window: "24h" },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe("input_file_id");
      expect(res.body.error.message).toContain(`Cannot find file ${id}`);
    }
  });

  it("answers 400 for a file whose purpose is not batch", async () => {
    const form = new FormData();
    form.append("purpose", "user_data");
    form.append("file", new File(["{}\n"], "notes.jsonl"));
    const upload = await call<{ id: string }>("POST", "/v1/files", { body: form });
    expect(upload.status).toBe(200);
    const res = await call<ErrorEnvelope>("POST", "/v1/batches", {
      json: { input_file_id: upload.body.id, endpoint: "/v1/chat/completions", completion_window: "24h" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ param: "input_file_id", code: "invalid_value" });
  });

  it("returns the first batch for a retried Idempotency-Key and 409 for the same key with another body", async () => {
    const fileId = await inputFile();
    const key = `idem-${crypto.randomUUID()}`;
    const json = { input_file_id: fileId, endpoint: "/v1/chat/completions", completion_window: "24h" };
    const first = await call<{ id: string }>("POST", "/v1/batches", {
      json,
      headers: { "idempotency-key": key },
    });
    const second = await call<{ id: string }>("POST", "/v1/batches", {
      json,
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const conflict = await call<ErrorEnvelope>("POST", "/v1/batches", {
      json: { ...json, metadata: { different: "yes" } },
      headers: { "idempotency-key": key },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get("x-should-retry")).toBe("false");
    const list = await call<{ data: Array<{ id: string }> }>("GET", "/v1/batches?limit=100");
    expect(list.body.data.filter((batch) => batch.id === first.body.id)).toHaveLength(1);
  });

  describeAuthCases((key) =>
    call("POST", "/v1/batches", {
      key,
      json: { input_file_id: "file-x", endpoint: "/v1/chat/completions", completion_window: "24h" },
    }),
  );
});

describe("POST /v1/batches with a huge body", () => {
  it("answers 413 once it has read the rest, so the connection stays usable", async () => {
    const res = await call<ErrorEnvelope>("POST", "/v1/batches", {
      json: {
        input_file_id: "file-x",
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        metadata: { k: "v" },
        padding: "x".repeat(2 * 1024 * 1024),
      },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.type).toBe("invalid_request_error");
  });
});
