import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { chatLine, createBatch, fileLines, jsonl, uploadJsonl, waitForBatch } from "../helpers/batches";

// While another batch is live, a runner starts new lines for at most 5 s, then hands its chunk
// back, and the coordinator sends it again at once: a chunk never holds its queue delivery (and
// other batches' messages behind it) for minutes, and handing back loses and repeats nothing.

describe("a chunk longer than one runner's slice", () => {
  it("is sent again at once and finishes with every line once, without waiting for the watchdog", async () => {
    // another batch is live (paused, so no runner of it holds a queue delivery meanwhile)
    const otherLines = Array.from({ length: 40 }, (_, i) => chatLine(`o${i}`, `[sim:latency=1000] ${i}`));
    const other = await createBatch(await uploadJsonl(jsonl(otherLines)));
    await waitForBatch(other.id, (b) => b.status === "in_progress");
    expect((await call("POST", `/v1/batches/${other.id}/pause`)).status).toBe(200);
    // 8 lines run at once, 2 s each: 32 lines need about 8 s, so at least one hand-back
    const lines = Array.from({ length: 32 }, (_, i) => chatLine(`s${i}`, `[sim:latency=2000] line ${i}`));
    const batch = await createBatch(await uploadJsonl(jsonl(lines)));
    await waitForBatch(batch.id, (b) => b.status === "in_progress");
    const started = Date.now();
    // the watchdog would first look after 15 s and re-send a chunk only after its 30 s lease: a
    // handed-back chunk that waited for it would take over 30 s
    const done = await waitForBatch(batch.id, undefined, 25_000);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 32, completed: 32, failed: 0 });
    const output = await fileLines(done.output_file_id);
    expect(output.map((line) => line.custom_id)).toEqual(lines.map((line) => line.custom_id));
    expect((await call("POST", `/v1/batches/${other.id}/cancel`)).status).toBe(200);
  });
});
