import { describe, expect, it } from "vitest";
import { BatchSchema } from "../../../src/schemas/batch";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { chatLine, createBatch, jsonl, uploadJsonl, waitForBatch } from "../../helpers/batches";
import { PROJECT_B } from "../../helpers/projects";

describe("POST /v1/batches/{batch_id}/pause and /resume", () => {
  it("pauses (idempotently), resumes, and the batch completes with every line counted once", async () => {
    const lines = Array.from({ length: 20 }, (_, i) => chatLine(`r${i}`, `slow [sim:latency=200] ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    const res = await call("POST", `/v1/batches/${batch.id}/pause`);
    expect(res.status).toBe(200);
    const paused = BatchSchema.parse(res.body);
    expect(["validating", "in_progress"]).toContain(paused.status);
    expect(paused.paused_at).toEqual(expect.any(Number));

    const again = await call<{ paused_at: number }>("POST", `/v1/batches/${batch.id}/pause`, { json: {} });
    expect(again.status).toBe(200);
    expect(again.body.paused_at).toBe(paused.paused_at);
    const shown = await call<{ paused_at: number | null }>("GET", `/v1/batches/${batch.id}`);
    expect(shown.body.paused_at).toBe(paused.paused_at);

    const resumed = await call("POST", `/v1/batches/${batch.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(BatchSchema.parse(resumed.body).paused_at).toBeNull();
    expect((await call("POST", `/v1/batches/${batch.id}/resume`)).status).toBe(200);

    const done = await waitForBatch(batch.id);
    expect(done).toMatchObject({
      status: "completed",
      request_counts: { total: 20, completed: 20, failed: 0 },
    });
  });

  it("answers 409 with x-should-retry: false to pausing or resuming a completed batch", async () => {
    const batch = await createBatch(await uploadJsonl(jsonl([chatLine("a", "hi")])));
    expect((await waitForBatch(batch.id)).status).toBe("completed");
    for (const op of ["pause", "resume"]) {
      const res = await call<ErrorEnvelope>("POST", `/v1/batches/${batch.id}/${op}`);
      expect(res.status).toBe(409);
      expect(res.headers.get("x-should-retry")).toBe("false");
      expect(res.body.error.message).toBe(`Cannot ${op} a batch with status 'completed'.`);
    }
  });

  it("answers 404 for another project's batch and leaves it unpaused", async () => {
    const others = await createBatch(
      await uploadJsonl(jsonl([chatLine("a", "hi")]), PROJECT_B.key),
      {},
      PROJECT_B.key,
    );
    for (const op of ["pause", "resume"]) {
      const res = await call<ErrorEnvelope>("POST", `/v1/batches/${others.id}/${op}`);
      expect(res.status).toBe(404);
    }
    const theirs = await call<{ paused_at?: number | null }>("GET", `/v1/batches/${others.id}`, {
      key: PROJECT_B.key,
    });
    expect(theirs.body.paused_at ?? null).toBeNull();
  });

  describe("pause", () => {
    describeAuthCases((key) => call("POST", "/v1/batches/batch_x/pause", { key }));
  });
  describe("resume", () => {
    describeAuthCases((key) => call("POST", "/v1/batches/batch_x/resume", { key }));
  });
});
