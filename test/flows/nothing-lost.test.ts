import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app/deps";
import type { Batch } from "../../src/schemas/batch";
import { call } from "../helpers/api";
import {
  CHAT_MODEL,
  chatLine,
  createBatch,
  fileLines,
  jsonl,
  startBatchExpiringIn,
  uploadJsonl,
  waitForBatch,
} from "../helpers/batches";
import { PROJECT_A } from "../helpers/projects";

// A line that finished is in the output whatever happens around it: an expiry while other lines
// still run, a cancel, or an input file deleted (or lost) under a running batch.

const deps = () => createDeps(env);

type ErrorLine = { custom_id: string; response: unknown; error: { code: string } | null };

describe("nothing finished is lost", () => {
  it("shows a finished line in request_counts within about 2 s while others still run", async () => {
    const lines = [chatLine("fast", "quick"), chatLine("slow", "[sim:latency=8000] slow")];
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    await waitForBatch(batch.id, (b) => b.status === "in_progress");
    // the slow line takes 8 s: the fast one must be counted long before it (within about 2 s; the
    // margin is for a loaded machine)
    const seen = await waitForBatch(batch.id, (b) => b.request_counts.completed === 1, 6_000);
    expect(seen.status).toBe("in_progress");
    const done = await waitForBatch(batch.id);
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
  });

  it("keeps lines that finished before expiry in the output; only unfinished ones are batch_expired", async () => {
    const content = jsonl([
      chatLine("early-1", "quick"),
      chatLine("late", "[sim:latency=8000] still running at the deadline"),
      chatLine("early-2", "quick too"),
    ]);
    const batch = await startBatchExpiringIn(4, await uploadJsonl(content));
    const done = await waitForBatch(batch.id, undefined, 20_000);
    expect(done.status).toBe("expired");
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    expect(done.usage.output_tokens).toBeGreaterThan(0);
    const output = await fileLines(done.output_file_id);
    expect(output.map((line) => line.custom_id)).toEqual(["early-1", "early-2"]);
    const errors = (await fileLines(done.error_file_id)) as ErrorLine[];
    expect(errors).toEqual([
      expect.objectContaining({
        custom_id: "late",
        response: null,
        error: expect.objectContaining({ code: "batch_expired" }),
      }),
    ]);
  });

  it("finishes a running batch whose input file was deleted, and frees the bytes afterwards", async () => {
    const lines = Array.from({ length: 120 }, (_, i) => chatLine(`d${i}`, `[sim:latency=100] ${i}`));
    const fileId = await uploadJsonl(jsonl(lines));
    const file = await deps().files.get(PROJECT_A.id, fileId);
    const batch = await createBatch(fileId);
    await waitForBatch(batch.id, (b) => b.status === "in_progress");

    const deleted = await call("DELETE", `/v1/files/${fileId}`);
    expect(deleted.body).toEqual({ id: fileId, object: "file", deleted: true });
    expect((await call("GET", `/v1/files/${fileId}`)).status).toBe(404);

    const done = await waitForBatch(batch.id);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 120, completed: 120, failed: 0 });
    expect((await fileLines(done.output_file_id)).map((line) => line.custom_id)).toEqual(
      lines.map((line) => line.custom_id),
    );
    // once no live batch needs them, the retention sweep deletes the bytes
    const { runRetention } = await import("../../src/cron/retention");
    await runRetention(deps(), { now: Date.now() });
    expect(await env.FILES_BUCKET.head(String(file?.r2Key))).toBeNull();
  });

  it("cancels within seconds even when the input's bytes are gone, naming every unfinished line", async () => {
    const lines = Array.from({ length: 200 }, (_, i) => chatLine(`g${i}`, `[sim:latency=300] ${i}`));
    const fileId = await uploadJsonl(jsonl(lines));
    const file = await deps().files.get(PROJECT_A.id, fileId);
    const batch = await createBatch(fileId);
    await waitForBatch(batch.id, (b) => b.request_counts.completed > 0);
    // damage from outside the API: the object itself disappears
    await env.FILES_BUCKET.delete(String(file?.r2Key));

    const cancel = await call<Batch>("POST", `/v1/batches/${batch.id}/cancel`);
    expect(cancel.status).toBe(200);
    const done = await waitForBatch(batch.id, undefined, 10_000);
    expect(done.status).toBe("cancelled");
    const output = await fileLines(done.output_file_id);
    const errors = (await fileLines(done.error_file_id)) as ErrorLine[];
    expect(errors.every((line) => line.error?.code === "batch_cancelled")).toBe(true);
    expect(done.request_counts).toEqual({ total: 200, completed: output.length, failed: errors.length });
    const ids = [...output, ...errors].map((line) => line.custom_id).sort();
    expect(ids).toEqual(lines.map((line) => line.custom_id).sort());
  });

  it("answers status reads while the output is written, so a client sees finalizing", async () => {
    const lines = Array.from({ length: 4000 }, (_, i) => chatLine(`f${i}`, `line ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)), { model: CHAT_MODEL });
    const finalizing = await waitForBatch(
      batch.id,
      (b) => b.status !== "in_progress" && b.status !== "validating",
      50_000,
    );
    expect(finalizing.status).toBe("finalizing");
    expect(finalizing.request_counts).toEqual({ total: 4000, completed: 4000, failed: 0 });
    expect((await waitForBatch(batch.id)).status).toBe("completed");
  });
});
