import { describe, expect, it } from "vitest";
import { BatchListSchema } from "../../../src/schemas/batch";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { chatLine, createBatch, jsonl, uploadJsonl } from "../../helpers/batches";
import { PROJECT_B } from "../../helpers/projects";

describe("GET /v1/batches", () => {
  it("pages newest first with after and always says has_more", async () => {
    const fileId = await uploadJsonl(jsonl([chatLine("a", "hi")]));
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      created.push((await createBatch(fileId)).id);
    }
    const newestFirst = [...created].reverse();
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await call("GET", `/v1/batches?limit=2${after ? `&after=${after}` : ""}`);
      expect(res.status).toBe(200);
      const page = BatchListSchema.parse(res.body);
      seen.push(...page.data.map((batch) => batch.id));
      expect(page.first_id).toBe(page.data[0]?.id ?? null);
      expect(page.last_id).toBe(page.data.at(-1)?.id ?? null);
      if (!page.has_more) {
        break;
      }
      after = page.last_id ?? undefined;
    }
    expect(seen.filter((id) => created.includes(id))).toEqual(newestFirst);
  });

  it("defaults to 20 and never lists another project's batches", async () => {
    const others = await createBatch(
      await uploadJsonl(jsonl([chatLine("a", "hi")]), PROJECT_B.key),
      {},
      PROJECT_B.key,
    );
    const res = await call<{ data: Array<{ id: string }> }>("GET", "/v1/batches");
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(20);
    expect(res.body.data.map((batch) => batch.id)).not.toContain(others.id);
  });

  it.each(["limit=0", "limit=101", "limit=abc"])("answers 400 for %s", async (query) => {
    const res = await call<ErrorEnvelope>("GET", `/v1/batches?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("limit");
  });

  describeAuthCases((key) => call("GET", "/v1/batches", { key }));
});
