import { describe, expect, it } from "vitest";
import { BatchResultListSchema } from "../../../src/schemas/batch-result";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { chatLine, createBatch, jsonl, uploadJsonl, waitForBatch } from "../../helpers/batches";
import { PROJECT_B } from "../../helpers/projects";

type Results = ReturnType<typeof BatchResultListSchema.parse>;

async function results(batchId: string, query = "", key?: string) {
  const res = await call<Results>("GET", `/v1/batches/${batchId}/results${query}`, { key });
  return { status: res.status, body: res.status === 200 ? BatchResultListSchema.parse(res.body) : res.body };
}

async function finishedBatch(lines: ReturnType<typeof chatLine>[]) {
  const batch = await createBatch(await uploadJsonl(jsonl(lines)));
  return waitForBatch(batch.id);
}

describe("GET /v1/batches/{batch_id}/results", () => {
  it("shows finished lines while the batch still runs, the rest pending", async () => {
    const lines = [
      chatLine("quick-1", "a"),
      chatLine("slow", "[sim:latency=8000] b"),
      chatLine("quick-2", "c"),
    ];
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    await waitForBatch(batch.id, (b) => b.request_counts.completed === 2, 6_000);

    const page = (await results(batch.id)).body as Results;
    expect(page.data.map((r) => [r.custom_id, r.status, r.line])).toEqual([
      ["quick-1", "completed", 1],
      ["slow", "pending", 2],
      ["quick-2", "completed", 3],
    ]);
    const first = page.data[0];
    expect(first?.request).toMatchObject({ messages: [{ role: "user", content: "a" }] });
    expect(first?.response).toMatchObject({ status_code: 200, body: { object: "chat.completion" } });
    expect(page.data[1]).toMatchObject({ response: null, error: null, request: { max_tokens: 32 } });
    expect(page.has_more).toBe(false);
  });

  it("merges failed lines with their error and attempts once the batch ended", async () => {
    const done = await finishedBatch([chatLine("ok", "fine"), chatLine("bad", "[sim:fail=5007] no")]);
    const page = (await results(done.id)).body as Results;
    expect(page.data.map((r) => [r.custom_id, r.status])).toEqual([
      ["ok", "completed"],
      ["bad", "failed"],
    ]);
    expect(page.data[1]).toMatchObject({
      attempts: 1,
      response: { status_code: 400, body: { error: { code: "5007" } } },
    });
  });

  it("filters by custom_id, prefix and status, and pages with limit and after", async () => {
    const lines = Array.from({ length: 12 }, (_, i) =>
      chatLine(i % 3 === 0 ? `team-a-${i}` : `team-b-${i}`, i === 4 ? "[sim:fail=5007] x" : `q ${i}`),
    );
    const done = await finishedBatch(lines);

    const exact = (await results(done.id, "?custom_id=team-b-4")).body as Results;
    expect(exact.data.map((r) => [r.custom_id, r.status])).toEqual([["team-b-4", "failed"]]);
    const prefix = (await results(done.id, "?custom_id_prefix=team-a-")).body as Results;
    expect(prefix.data.map((r) => r.custom_id)).toEqual(["team-a-0", "team-a-3", "team-a-6", "team-a-9"]);
    const failed = (await results(done.id, "?status=failed")).body as Results;
    expect(failed.data.map((r) => r.custom_id)).toEqual(["team-b-4"]);

    const seen: string[] = [];
    let after = "";
    for (;;) {
      const page = (await results(done.id, `?limit=5${after}`)).body as Results;
      seen.push(...page.data.map((r) => r.custom_id));
      if (!page.has_more) {
        break;
      }
      after = `&after=${page.last_id}`;
    }
    expect(seen).toEqual(lines.map((line) => line.custom_id));
  });

  it("calls lines that never ran cancelled after a cancel", async () => {
    const lines = Array.from({ length: 200 }, (_, i) => chatLine(`c${i}`, `[sim:latency=300] ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    await waitForBatch(batch.id, (b) => b.request_counts.completed > 0);
    await call("POST", `/v1/batches/${batch.id}/cancel`);
    const done = await waitForBatch(batch.id);
    const cancelled = (await results(done.id, "?status=cancelled&limit=1000")).body as Results;
    expect(cancelled.data.length).toBe(done.request_counts.failed);
    expect(cancelled.data[0]).toMatchObject({ response: null, error: { code: "batch_cancelled" } });
  });

  it.each([
    ["a cursor that is not a position", "?after=batch_x", "after"],
    ["an unknown status", "?status=running", "status"],
    ["a limit over 1000", "?limit=1001", "limit"],
  ])("answers 400 for %s", async (_label, query, param) => {
    const done = await finishedBatch([chatLine("v", "x")]);
    const res = await results(done.id, query);
    expect(res.status).toBe(400);
    expect((res.body as unknown as ErrorEnvelope).error.param).toBe(param);
  });

  it("answers 404 for another project's batch and for an unknown one", async () => {
    const done = await finishedBatch([chatLine("mine", "x")]);
    expect((await results(done.id, "", PROJECT_B.key)).status).toBe(404);
    expect((await results("batch_unknown")).status).toBe(404);
  });

  describeAuthCases((key) => call("GET", "/v1/batches/batch_x/results", { key }));
});
