import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fileLines } from "../helpers/batches";
import { interceptQueue, PLAN, recordLine, settle, startBatch } from "../helpers/coordinator-rpc";

// The coordinator driven through its RPCs and alarms alone (test/helpers/coordinator-rpc.ts).

afterEach(() => {
  vi.restoreAllMocks();
});

describe("BatchCoordinator", () => {
  it("validates, dispatches every chunk, counts each line once and completes", async () => {
    const sent = interceptQueue();
    const { id, coordinator } = await startBatch({ model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast" });
    expect(sent).toEqual([{ kind: "validate_batch", batchId: id }]);
    expect((await coordinator.snapshot())?.model).toBe("@cf/meta/llama-3.3-70b-instruct-fp8-fast");

    const running = await coordinator.validated({ ok: true, total: 4, model: "ignored", chunks: PLAN });
    expect(running).toMatchObject({ status: "in_progress", request_counts: { total: 4 } });
    expect(running.model).toBe("@cf/meta/llama-3.3-70b-instruct-fp8-fast");
    expect(sent.filter((m) => m.kind === "run_chunk").map((m) => m.chunk?.index)).toEqual([0, 1]);

    expect((await coordinator.beginChunk(0)).run).toBe(true);
    expect(await coordinator.beginChunk(0)).toEqual({ run: false, reason: "leased" });
    await recordLine(coordinator, id, 0, 0, false);
    // a redelivered runner reports the same line again: it counts once
    await recordLine(coordinator, id, 0, 0, false);
    await recordLine(coordinator, id, 0, 1, true);
    expect((await coordinator.snapshot())?.request_counts).toEqual({ total: 4, completed: 2, failed: 0 });

    await coordinator.beginChunk(1);
    await recordLine(coordinator, id, 1, 2, false);
    await recordLine(coordinator, id, 1, 3, true);
    const done = await settle(id, coordinator);
    expect(done).toMatchObject({
      status: "completed",
      error_file_id: null,
      request_counts: { total: 4, completed: 4, failed: 0 },
      usage: { input_tokens: 12, output_tokens: 20, total_tokens: 32 },
    });
    expect((await fileLines(done.output_file_id)).map((line) => line.custom_id)).toEqual([
      "a",
      "b",
      "c",
      "d",
    ]);
  });

  it("a cancel that arrives while the verdict's token reservation is written wins", async () => {
    interceptQueue();
    const { id, coordinator } = await startBatch();
    const [, cancelled] = await Promise.all([
      coordinator.validated({ ok: true, total: 4, model: "m", chunks: PLAN }),
      coordinator.cancel(),
    ]);
    expect(cancelled.ok).toBe(true);
    const done = await settle(id, coordinator);
    expect(done).toMatchObject({ status: "cancelled", request_counts: { completed: 0 } });
  });

  it("keeps the model validation learned when it fails the batch", async () => {
    interceptQueue();
    const { coordinator } = await startBatch();
    const failed = await coordinator.validated({
      ok: false,
      model: "@cf/openai/gpt-oss-120b",
      errors: [{ code: "invalid_json_line", message: "x", param: null, line: 2 }],
    });
    expect(failed).toMatchObject({ status: "failed", model: "@cf/openai/gpt-oss-120b" });
  });

  it("on cancel waits for the running runner's last lines, then names the rest batch_cancelled", async () => {
    interceptQueue();
    const { id, coordinator } = await startBatch();
    await coordinator.validated({ ok: true, total: 4, model: "m", chunks: PLAN });
    await coordinator.beginChunk(0);
    const cancelling = await coordinator.cancel();
    expect(cancelling).toMatchObject({ ok: true, batch: { status: "cancelling" } });
    expect(await coordinator.mayProceed()).toBe(false);
    expect((await coordinator.beginChunk(1)).run).toBe(false);

    // the runner hands in the line it had in flight and stops: the files are written at once
    await recordLine(coordinator, id, 0, 0, true);
    const done = await settle(id, coordinator);
    expect(done).toMatchObject({
      status: "cancelled",
      request_counts: { total: 4, completed: 1, failed: 3 },
    });
    expect((await fileLines(done.output_file_id)).map((line) => line.custom_id)).toEqual(["a"]);
    const errors = (await fileLines(done.error_file_id)) as Array<{
      custom_id: string;
      error: { code: string };
    }>;
    expect(errors.map((line) => [line.custom_id, line.error.code])).toEqual([
      ["b", "batch_cancelled"],
      ["c", "batch_cancelled"],
      ["d", "batch_cancelled"],
    ]);
    expect((await coordinator.cancel()).ok).toBe(true);
  });

  it("at expiry stops dispatch but takes the lines a runner hands in before writing the files", async () => {
    interceptQueue();
    const { id, coordinator } = await startBatch({ expiresInSeconds: 1 });
    await coordinator.validated({ ok: true, total: 4, model: "m", chunks: PLAN });
    await coordinator.beginChunk(0);
    const expiresAt = ((await coordinator.snapshot())?.expires_at ?? 0) * 1000;
    await vi.waitUntil(() => Date.now() > expiresAt, { timeout: 5_000 });
    const stub = env.BATCH_COORDINATOR.get(env.BATCH_COORDINATOR.idFromName(id));
    await runDurableObjectAlarm(stub);

    // a runner is still out: dispatch has stopped, but the batch waits for its lines
    expect(await coordinator.mayProceed()).toBe(false);
    expect((await coordinator.snapshot())?.status).toBe("in_progress");
    await recordLine(coordinator, id, 0, 1, true);
    const done = await settle(id, coordinator);
    expect(done).toMatchObject({ status: "expired", request_counts: { total: 4, completed: 1, failed: 3 } });
    expect((await fileLines(done.output_file_id)).map((line) => line.custom_id)).toEqual(["b"]);
    expect(
      ((await fileLines(done.error_file_id)) as Array<{ error: { code: string } }>).map(
        (line) => line.error.code,
      ),
    ).toEqual(["batch_expired", "batch_expired", "batch_expired"]);
  });
});
