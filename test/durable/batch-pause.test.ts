import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fileLines } from "../helpers/batches";
import { interceptQueue, PLAN, recordLine, type Sent, settle, startBatch } from "../helpers/coordinator-rpc";

// Pause and resume driven through the coordinator's RPCs with the queue intercepted.

afterEach(() => {
  vi.restoreAllMocks();
});

const runChunks = (sent: Sent[]) => sent.filter((m) => m.kind === "run_chunk").map((m) => m.chunk?.index);

describe("BatchCoordinator pause and resume", () => {
  it("a paused batch starts nothing, keeps its in-flight line, and completes with exact counts after resume", async () => {
    const sent = interceptQueue();
    const { id, coordinator } = await startBatch();
    await coordinator.validated({ ok: true, total: 4, model: "m", chunks: PLAN });
    expect(runChunks(sent)).toEqual([0, 1]);
    expect((await coordinator.beginChunk(0)).run).toBe(true);

    const paused = await coordinator.pause();
    expect(paused.ok).toBe(true);
    expect(paused.batch).toMatchObject({ status: "in_progress" });
    expect(paused.batch.paused_at).toEqual(expect.any(Number));
    expect(await coordinator.mayProceed()).toBe(false);
    expect(await coordinator.beginChunk(1)).toEqual({ run: false, reason: "not_running" });
    // pausing again changes nothing
    expect((await coordinator.pause()).batch.paused_at).toBe(paused.batch.paused_at);

    // the runner's in-flight line is recorded; it is told to stop and hands the chunk back
    expect((await recordLine(coordinator, id, 0, 0, false)).proceed).toBe(false);
    await recordLine(coordinator, id, 0, 0, true);
    expect((await coordinator.snapshot())?.request_counts).toEqual({ total: 4, completed: 1, failed: 0 });
    // neither the runner's return nor the watchdog dispatches while paused
    await coordinator.watchdog();
    expect(runChunks(sent)).toEqual([0, 1]);

    const resumed = await coordinator.resume();
    expect(resumed).toMatchObject({ ok: true, batch: { status: "in_progress", paused_at: null } });
    expect(await coordinator.mayProceed()).toBe(true);
    expect(runChunks(sent)).toEqual([0, 1, 0, 1]);
    expect((await coordinator.resume()).ok).toBe(true);

    const lease = await coordinator.beginChunk(0);
    expect(lease).toMatchObject({ run: true, doneRequests: [0] });
    await recordLine(coordinator, id, 0, 1, true);
    expect((await coordinator.beginChunk(1)).run).toBe(true);
    await recordLine(coordinator, id, 1, 2, false);
    await recordLine(coordinator, id, 1, 3, true);
    const done = await settle(id, coordinator);
    expect(done).toMatchObject({
      status: "completed",
      error_file_id: null,
      request_counts: { total: 4, completed: 4, failed: 0 },
      usage: { input_tokens: 12, output_tokens: 20 },
    });
    expect((await fileLines(done.output_file_id)).map((line) => line.custom_id)).toEqual([
      "a",
      "b",
      "c",
      "d",
    ]);
    expect((await coordinator.pause()).ok).toBe(false);
  });

  it("a batch paused while validating dispatches only once resumed", async () => {
    const sent = interceptQueue();
    const { coordinator } = await startBatch();
    expect((await coordinator.pause()).ok).toBe(true);
    const running = await coordinator.validated({ ok: true, total: 4, model: "m", chunks: PLAN });
    expect(running.status).toBe("in_progress");
    expect(runChunks(sent)).toEqual([]);
    await coordinator.resume();
    expect(runChunks(sent)).toEqual([0, 1]);
  });

  it("a paused batch still expires at its deadline, every line batch_expired", async () => {
    interceptQueue();
    const { id, coordinator } = await startBatch({ expiresInSeconds: 1 });
    await coordinator.validated({ ok: true, total: 4, model: "m", chunks: PLAN });
    expect((await coordinator.pause()).ok).toBe(true);
    const expiresAt = ((await coordinator.snapshot())?.expires_at ?? 0) * 1000;
    await vi.waitUntil(() => Date.now() > expiresAt, { timeout: 5_000 });
    await runDurableObjectAlarm(env.BATCH_COORDINATOR.get(env.BATCH_COORDINATOR.idFromName(id)));
    const done = await settle(id, coordinator);
    expect(done).toMatchObject({ status: "expired", request_counts: { total: 4, completed: 0, failed: 4 } });
    expect(
      ((await fileLines(done.error_file_id)) as Array<{ error: { code: string } }>).map((l) => l.error.code),
    ).toEqual(["batch_expired", "batch_expired", "batch_expired", "batch_expired"]);
    expect((await coordinator.pause()).ok).toBe(false);
    expect((await coordinator.resume()).ok).toBe(false);
  });
});
