import { describe, expect, it } from "vitest";
import { BatchSchema } from "../../../src/schemas/batch";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { chatLine, createBatch, jsonl, uploadJsonl, waitForBatch } from "../../helpers/batches";
import { PROJECT_B } from "../../helpers/projects";

describe("POST /v1/batches/{batch_id}/cancel", () => {
  it.each([
    ["no body", {}],
    ["an empty JSON body", { body: "", headers: { "content-type": "application/json" } }],
    ["{}", { json: {} }],
  ])("cancels with %s and ends cancelled", async (_label, options) => {
    const lines = Array.from({ length: 20 }, (_, i) => chatLine(`r${i}`, `slow [sim:latency=300] ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    const res = await call("POST", `/v1/batches/${batch.id}/cancel`, options);
    expect(res.status).toBe(200);
    const cancelling = BatchSchema.parse(res.body);
    expect(["cancelling", "cancelled"]).toContain(cancelling.status);
    expect(cancelling.cancelling_at).not.toBeNull();
    const done = await waitForBatch(batch.id);
    expect(done.status).toBe("cancelled");
    expect(done.cancelled_at).not.toBeNull();
    const again = await call<{ status: string }>("POST", `/v1/batches/${batch.id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("cancelled");
  });

  it("answers 409 with x-should-retry: false for a completed batch", async () => {
    const batch = await createBatch(await uploadJsonl(jsonl([chatLine("a", "hi")])));
    const done = await waitForBatch(batch.id);
    expect(done.status).toBe("completed");
    const res = await call<ErrorEnvelope>("POST", `/v1/batches/${batch.id}/cancel`);
    expect(res.status).toBe(409);
    expect(res.headers.get("x-should-retry")).toBe("false");
    expect(res.body.error.message).toBe("Cannot cancel a batch with status 'completed'.");
  });

  it("answers 404 for another project's batch and leaves it running", async () => {
    const others = await createBatch(
      await uploadJsonl(jsonl([chatLine("a", "hi")]), PROJECT_B.key),
      {},
      PROJECT_B.key,
    );
    const res = await call<ErrorEnvelope>("POST", `/v1/batches/${others.id}/cancel`);
    expect(res.status).toBe(404);
    const theirs = await call<{ status: string }>("GET", `/v1/batches/${others.id}`, { key: PROJECT_B.key });
    expect(theirs.body.status).not.toMatch(/cancel/);
  });

  describeAuthCases((key) => call("POST", "/v1/batches/batch_x/cancel", { key }));
});
