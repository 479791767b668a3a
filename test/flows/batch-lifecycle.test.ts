import { describe, expect, it } from "vitest";
import { BatchSchema } from "../../src/schemas/batch";
import { call } from "../helpers/api";
import {
  CHAT_MODEL,
  chatLine,
  createBatch,
  EMBEDDING_MODEL,
  fileLines,
  jsonl,
  uploadJsonl,
  waitForBatch,
} from "../helpers/batches";

describe("a batch from upload to download", () => {
  it("runs chat completions and writes the output in input order", async () => {
    const lines = Array.from({ length: 150 }, (_, i) => chatLine(`req-${i}`, `question ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    const done = BatchSchema.parse(await waitForBatch(batch.id));
    expect(done).toMatchObject({
      status: "completed",
      model: CHAT_MODEL,
      error_file_id: null,
      errors: null,
      request_counts: { total: 150, completed: 150, failed: 0 },
    });
    for (const field of ["in_progress_at", "finalizing_at", "completed_at"] as const) {
      expect(done[field]).toBeGreaterThanOrEqual(done.created_at);
    }
    expect(done.failed_at).toBeNull();
    expect(done.usage.input_tokens).toBeGreaterThan(0);
    expect(done.usage.output_tokens).toBeGreaterThan(0);
    expect(done.usage.total_tokens).toBe(done.usage.input_tokens + done.usage.output_tokens);

    const output = await fileLines(done.output_file_id);
    expect(output.map((line) => line.custom_id)).toEqual(lines.map((line) => line.custom_id));
    const first = output[0] as {
      response: { status_code: number; body: Record<string, unknown> };
      error: unknown;
    };
    expect(first.error).toBeNull();
    expect(first.response.status_code).toBe(200);
    expect(first.response.body).toMatchObject({ object: "chat.completion", model: CHAT_MODEL });

    const file = await call<{ purpose: string; filename: string }>("GET", `/v1/files/${done.output_file_id}`);
    expect(file.body.purpose).toBe("batch_output");
  });

  it("runs /v1/completions and /v1/embeddings", async () => {
    const completions = await createBatch(
      await uploadJsonl(
        jsonl([
          {
            custom_id: "c1",
            method: "POST",
            url: "/v1/completions",
            body: { model: CHAT_MODEL, prompt: "Once" },
          },
        ]),
      ),
      { endpoint: "/v1/completions" },
    );
    const embeddings = await createBatch(
      await uploadJsonl(
        jsonl([
          {
            custom_id: "e1",
            method: "POST",
            url: "/v1/embeddings",
            body: { model: EMBEDDING_MODEL, input: "hello" },
          },
          {
            custom_id: "e2",
            method: "POST",
            url: "/v1/embeddings",
            body: { model: EMBEDDING_MODEL, input: ["a", "b"] },
          },
        ]),
      ),
      { endpoint: "/v1/embeddings" },
    );
    const [c, e] = await Promise.all([waitForBatch(completions.id), waitForBatch(embeddings.id)]);
    expect(c.status).toBe("completed");
    expect(e.status).toBe("completed");
    const [cLine] = await fileLines(c.output_file_id);
    expect((cLine as { response: { body: { object: string } } }).response.body.object).toBe(
      "text_completion",
    );
    const eLines = (await fileLines(e.output_file_id)) as Array<{
      response: { body: { object: string; data: Array<{ embedding: number[] }> } };
    }>;
    expect(eLines.map((line) => line.response.body.data.length)).toEqual([1, 2]);
    expect(eLines[0]?.response.body.data[0]?.embedding.length).toBeGreaterThan(0);
  });

  it("ends completed with output_file_id null when every line fails", async () => {
    const lines = [chatLine("x1", "[sim:fail=5007] a"), chatLine("x2", "[sim:fail=5007] b")];
    const done = await waitForBatch((await createBatch(await uploadJsonl(jsonl(lines)))).id);
    expect(done).toMatchObject({
      status: "completed",
      output_file_id: null,
      request_counts: { total: 2, completed: 0, failed: 2 },
    });
    const errors = (await fileLines(done.error_file_id)) as Array<{
      custom_id: string;
      response: { status_code: number; body: { error: { code: string; attempts: number } } };
      error: unknown;
    }>;
    expect(errors.map((line) => line.custom_id)).toEqual(["x1", "x2"]);
    expect(errors[0]?.error).toBeNull();
    expect(errors[0]?.response.status_code).toBe(400);
    expect(errors[0]?.response.body.error).toMatchObject({ code: "5007", attempts: 1 });
  });

  it("retries transient model errors so every line succeeds with exact counts", async () => {
    const lines = Array.from({ length: 50 }, (_, i) =>
      chatLine(`t${i}`, i % 5 === 0 ? `[sim:fail=3040x2] flaky ${i}` : `steady ${i}`),
    );
    const done = await waitForBatch((await createBatch(await uploadJsonl(jsonl(lines)))).id);
    expect(done).toMatchObject({
      status: "completed",
      error_file_id: null,
      request_counts: { total: 50, completed: 50, failed: 0 },
    });
    expect((await fileLines(done.output_file_id)).map((line) => line.custom_id)).toEqual(
      lines.map((l) => l.custom_id),
    );
  });

  it("fails an invalid file with every error, in line order", async () => {
    const content = jsonl([
      chatLine("ok", "fine"),
      "{not json",
      { method: "POST", url: "/v1/chat/completions", body: { model: CHAT_MODEL, messages: [] } },
      { ...chatLine("wrong-url", "x"), url: "/v1/embeddings" },
      chatLine("ok", "duplicate id"),
      {
        ...chatLine("streaming", "x"),
        body: { model: CHAT_MODEL, messages: [{ role: "user", content: "x" }], stream: true },
      },
      {
        ...chatLine("no-model", "x"),
        body: { model: "nonexistent-model-xyz", messages: [{ role: "user", content: "x" }] },
      },
    ]);
    const done = await waitForBatch((await createBatch(await uploadJsonl(content))).id);
    expect(done.status).toBe("failed");
    expect(done.failed_at).not.toBeNull();
    expect(done.in_progress_at).toBeNull();
    expect(done.output_file_id).toBeNull();
    expect(done.errors?.data).toEqual([
      {
        code: "invalid_json_line",
        message: "This line is not parseable as valid JSON.",
        param: null,
        line: 2,
      },
      {
        code: "missing_required_parameter",
        message: "Missing required parameter: 'custom_id'.",
        param: "custom_id",
        line: 3,
      },
      {
        code: "invalid_url",
        message: "The URL provided for this request does not match the batch endpoint.",
        param: "url",
        line: 4,
      },
      expect.objectContaining({ code: "duplicate_custom_id", param: "custom_id", line: 5 }),
      {
        code: "streaming_unsupported",
        message: "Chat Completions: Streaming is not supported in the Batch API.",
        param: "body.stream",
        line: 6,
      },
      {
        code: "model_not_found",
        message: "The provided model 'nonexistent-model-xyz' is not supported by the Batch API.",
        param: "body.model",
        line: 7,
      },
    ]);
  });

  it("cancels mid-run: finished lines kept, the rest batch_cancelled, counts add up", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => chatLine(`c${i}`, `[sim:latency=500] ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    await waitForBatch(batch.id, (b) => b.request_counts.completed > 0);
    const res = await call<{ status: string }>("POST", `/v1/batches/${batch.id}/cancel`);
    expect(res.status).toBe(200);
    const done = await waitForBatch(batch.id);
    expect(done.status).toBe("cancelled");
    const output = await fileLines(done.output_file_id);
    const errors = (await fileLines(done.error_file_id)) as Array<{
      custom_id: string;
      error: { code: string };
    }>;
    expect(output.length).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((line) => line.error.code === "batch_cancelled")).toBe(true);
    expect(done.request_counts).toEqual({ total: 300, completed: output.length, failed: errors.length });
    const ids = [...output, ...errors].map((line) => line.custom_id).sort();
    expect(ids).toEqual(lines.map((line) => line.custom_id).sort());
  });
});
