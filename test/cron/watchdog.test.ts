import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runWatchdog } from "../../src/cron/watchdog";
import { newId } from "../../src/domain/ids";
import type { BatchCoordinator } from "../../src/durable/batch-coordinator";
import type { Batch } from "../../src/schemas/batch";
import { chatLine, createBatch, fileLines, jsonl, uploadJsonl, waitForBatch } from "../helpers/batches";
import { PROJECT_A } from "../helpers/projects";
import { nowSeconds, testDeps, triggerCron } from "../helpers/schedules";

type Sent = { kind: string; batchId: string };

/**
 * Drops every `run_chunk` message while `dropping` is set: a lost message, as the queue can lose one
 * after its retries (or a consumer that crashed). Other messages pass through unchanged.
 */
function interceptChunkMessages() {
  const queue = env.BATCH_QUEUE;
  const send = queue.sendBatch.bind(queue);
  const state = { dropping: true, dropped: [] as Sent[], resent: [] as Sent[] };
  vi.spyOn(queue, "sendBatch").mockImplementation(async (messages, options) => {
    const keep: MessageSendRequest[] = [];
    for (const message of messages) {
      const body = message.body as Sent;
      if (body.kind !== "run_chunk") {
        keep.push(message);
      } else if (state.dropping) {
        state.dropped.push(body);
      } else {
        state.resent.push(body);
        keep.push(message);
      }
    }
    // the binding refuses an empty batch; a fully dropped one looks sent to the caller
    return keep.length > 0
      ? send(keep, options)
      : { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
  });
  return state;
}

function coordinator(batchId: string): DurableObjectStub<BatchCoordinator> {
  return env.BATCH_COORDINATOR.get(env.BATCH_COORDINATOR.idFromName(batchId));
}

/** A batch whose chunk messages were all lost: in progress, and nothing will move it. */
async function stalledBatch(
  lines: number,
): Promise<{ batch: Batch; state: ReturnType<typeof interceptChunkMessages> }> {
  const state = interceptChunkMessages();
  const input = jsonl(Array.from({ length: lines }, (_, i) => chatLine(`s${i}`, `stalled ${i}`)));
  const created = await createBatch(await uploadJsonl(input));
  const batch = await waitForBatch(created.id, (b) => b.status === "in_progress");
  await vi.waitUntil(() => state.dropped.length > 0, { timeout: 10_000 });
  // the minutes that pass before anyone notices: the coordinator's lease and the D1 mirror age
  await runInDurableObject(coordinator(batch.id), async (_instance, ctx) => {
    ctx.storage.sql.exec("UPDATE chunks SET dispatched_at = dispatched_at - 600000 WHERE state = 'queued'");
  });
  await env.DB.prepare("UPDATE batches SET updated_at = updated_at - 600 WHERE id = ?1").bind(batch.id).run();
  return { batch, state };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("scheduled(): watchdog", { timeout: 40_000 }, () => {
  it("re-drives a batch whose chunk messages were lost, once, to completion", async () => {
    const { batch, state } = await stalledBatch(6);
    const lost = state.dropped.filter((body) => body.batchId === batch.id).length;
    state.dropping = false;

    // two overlapping invocations: each lost chunk is sent again exactly once
    await Promise.all([triggerCron(), triggerCron()]);
    const done = await waitForBatch(batch.id);
    expect(done).toMatchObject({
      status: "completed",
      request_counts: { total: 6, completed: 6, failed: 0 },
    });
    expect(state.resent.filter((body) => body.batchId === batch.id)).toHaveLength(lost);
    expect((await fileLines(done.output_file_id)).map((line) => line.custom_id)).toEqual(
      Array.from({ length: 6 }, (_, i) => `s${i}`),
    );
  });

  it("expires a batch past expires_at whose alarm was lost, keeping what finished", async () => {
    const { batch } = await stalledBatch(3);
    await runInDurableObject(coordinator(batch.id), async (_instance, ctx) => {
      ctx.storage.sql.exec(
        "UPDATE state SET json = json_set(json, '$.batch.expires_at', ?) WHERE id = 1",
        nowSeconds() - 5,
      );
      ctx.storage.sql.exec("DELETE FROM timers");
      await ctx.storage.deleteAlarm();
    });
    await triggerCron();
    const done = await waitForBatch(batch.id);
    expect(done).toMatchObject({
      status: "expired",
      output_file_id: null,
      request_counts: { completed: 0, failed: 3 },
    });
    expect(done.expired_at).not.toBeNull();
    const errors = (await fileLines(done.error_file_id)) as Array<{
      custom_id: string;
      error: { code: string };
    }>;
    expect(errors.map((line) => [line.custom_id, line.error.code])).toEqual([
      ["s0", "batch_expired"],
      ["s1", "batch_expired"],
      ["s2", "batch_expired"],
    ]);
  });
});

describe("runWatchdog", { timeout: 40_000 }, () => {
  it("starts the coordinator of a batch whose creation crashed after its D1 row", async () => {
    const deps = testDeps();
    const fileId = await uploadJsonl(jsonl([chatLine("c1", "orphan")]));
    const file = await deps.files.get(PROJECT_A.id, fileId);
    const template = await createBatch(fileId);
    const created = nowSeconds() - 3600;
    const batch: Batch = {
      ...template,
      id: newId("batch"),
      created_at: created,
      expires_at: created + 86400,
      metadata: null,
    };
    await deps.batches.insert(PROJECT_A.id, batch, {
      projectId: PROJECT_A.id,
      inputKey: file?.r2Key ?? "",
      baseModel: null,
      outputExpiresAfterSeconds: 86400,
      webhookUrl: null,
    });
    expect(await coordinator(batch.id).snapshot()).toBeNull();

    const report = await runWatchdog(deps, { now: Date.now() });
    expect(report.failed).toBe(0);
    expect(report.redriven).toBeGreaterThanOrEqual(1);
    expect(await waitForBatch(batch.id)).toMatchObject({
      status: "completed",
      request_counts: { completed: 1 },
    });
  });

  it("leaves batches that moved recently alone", async () => {
    const calls: string[] = [];
    const real = testDeps();
    const deps = testDeps({
      coordinators: {
        get: (id: string) => {
          calls.push(id);
          return real.coordinators.get(id);
        },
      },
    });
    const batch = await createBatch(await uploadJsonl(jsonl([chatLine("f1", "fresh")])));
    await runWatchdog(deps, { now: Date.now() });
    expect(calls).not.toContain(batch.id);
    await waitForBatch(batch.id);
  });
});
