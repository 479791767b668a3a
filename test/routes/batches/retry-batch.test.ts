import { describe, expect, it } from "vitest";
import { BatchSchema } from "../../../src/schemas/batch";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import {
  CHAT_MODEL,
  chatLine,
  createBatch,
  createdBatches,
  fileLines,
  jsonl,
  startBatchExpiringIn,
  uploadJsonl,
  waitForBatch,
} from "../../helpers/batches";
import { PROJECT_A, PROJECT_B } from "../../helpers/projects";

async function retry(batchId: string, key?: string) {
  return call<unknown>("POST", `/v1/batches/${batchId}/retry`, { key });
}

async function inputLines(fileId: string): Promise<Array<Record<string, unknown>>> {
  const res = await call<string>("GET", `/v1/files/${fileId}/content`);
  return String(res.body)
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("POST /v1/batches/{batch_id}/retry", () => {
  it("makes a batch of exactly the failed and expired lines, with the original's settings", async () => {
    const lines = [
      chatLine("ok-1", "fine"),
      chatLine("refused", "[sim:fail=5007] no"),
      chatLine("late", "[sim:latency=8000] still running at the deadline"),
      chatLine("ok-2", "fine too"),
    ];
    const original = await startBatchExpiringIn(4, await uploadJsonl(jsonl(lines)));
    const ended = await waitForBatch(original.id, undefined, 20_000);
    expect(ended).toMatchObject({ status: "expired", request_counts: { total: 4, completed: 2, failed: 2 } });

    const res = await retry(original.id);
    expect(res.status).toBe(200);
    const retried = BatchSchema.parse(res.body);
    createdBatches.set(retried.id, PROJECT_A.key);
    expect(retried).toMatchObject({
      status: "validating",
      endpoint: "/v1/chat/completions",
      completion_window: original.completion_window,
      metadata: { retry_of: original.id },
    });
    const retriedInput = await inputLines(retried.input_file_id);
    expect(retriedInput.map((line) => line.custom_id)).toEqual(["refused", "late"]);
    expect(retriedInput[0]).toMatchObject({
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: CHAT_MODEL, messages: [{ role: "user", content: "[sim:fail=5007] no" }] },
    });
  });

  it("copies metadata and base model, and the new batch runs", async () => {
    const done = await waitForBatch(
      (
        await createBatch(
          await uploadJsonl(jsonl([chatLine("x", "[sim:fail=5007] refused"), chatLine("y", "hi")])),
          {
            metadata: { team: "search" },
            model: CHAT_MODEL,
          },
        )
      ).id,
      undefined,
      60_000,
    );
    const failedIds = ((await fileLines(done.error_file_id)) as Array<{ custom_id: string }>).map(
      (l) => l.custom_id,
    );
    const retried = BatchSchema.parse((await retry(done.id)).body);
    createdBatches.set(retried.id, PROJECT_A.key);
    expect(retried).toMatchObject({ model: CHAT_MODEL, metadata: { team: "search", retry_of: done.id } });
    const rerun = await waitForBatch(retried.id, undefined, 60_000);
    expect(rerun.request_counts.total).toBe(failedIds.length);
  });

  it("answers 400 nothing_to_retry when every request succeeded", async () => {
    const done = await waitForBatch((await createBatch(await uploadJsonl(jsonl([chatLine("a", "ok")])))).id);
    const res = await retry(done.id);
    expect(res.status).toBe(400);
    expect((res.body as ErrorEnvelope).error).toMatchObject({ code: "nothing_to_retry", param: "batch_id" });
  });

  it("answers 409 for a batch still running and for one that failed validation", async () => {
    const running = await createBatch(await uploadJsonl(jsonl([chatLine("s", "[sim:latency=3000] slow")])));
    const conflict = await retry(running.id);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get("x-should-retry")).toBe("false");
    const invalid = await waitForBatch(
      (await createBatch(await uploadJsonl(jsonl([chatLine("v", "x"), "{not json"])))).id,
    );
    expect(invalid.status).toBe("failed");
    expect((await retry(invalid.id)).status).toBe(409);
  });

  it("answers 404 for another project's batch and for an unknown one", async () => {
    const done = await waitForBatch((await createBatch(await uploadJsonl(jsonl([chatLine("m", "x")])))).id);
    expect((await retry(done.id, PROJECT_B.key)).status).toBe(404);
    expect((await retry("batch_unknown")).status).toBe(404);
  });

  describeAuthCases((key) => call("POST", "/v1/batches/batch_x/retry", { key }));
});
