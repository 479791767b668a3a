import { describe, expect, it } from "vitest";
import { BatchSchema } from "../../../src/schemas/batch";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { chatLine, createBatch, jsonl, uploadJsonl } from "../../helpers/batches";
import { PROJECT_B } from "../../helpers/projects";

describe("GET /v1/batches/{batch_id}", () => {
  it("returns the batch", async () => {
    const created = await createBatch(await uploadJsonl(jsonl([chatLine("a", "hi")])));
    const res = await call("GET", `/v1/batches/${created.id}`);
    expect(res.status).toBe(200);
    expect(BatchSchema.parse(res.body)).toMatchObject({ id: created.id, created_at: created.created_at });
  });

  it("answers 404 for an unknown id and for another project's batch, alike", async () => {
    const others = await createBatch(
      await uploadJsonl(jsonl([chatLine("a", "hi")]), PROJECT_B.key),
      {},
      PROJECT_B.key,
    );
    for (const id of ["batch_doesnotexist", others.id]) {
      const res = await call<ErrorEnvelope>("GET", `/v1/batches/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.type).toBe("invalid_request_error");
      expect(res.body.error.message).toContain("No batch found");
    }
  });

  describeAuthCases((key) => call("GET", "/v1/batches/batch_x", { key }));
});
