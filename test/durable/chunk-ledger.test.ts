import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ChunkPlan } from "../../src/domain/jsonl/chunk-planner";
import { ChunkLedger, LEASE_MS } from "../../src/durable/chunk-ledger";
import type { LineRecord } from "../../src/durable/coordinator-types";

const CHUNKS: ChunkPlan[] = [0, 1, 2].map((index) => ({
  index,
  byteStart: index * 100,
  byteEnd: index * 100 + 99,
  firstLine: index * 3 + 1,
  firstRequest: index * 3,
  requestCount: 3,
}));

function line(
  requestIndex: number,
  position: number,
  outcome: LineRecord["outcome"] = "completed",
): LineRecord {
  return { requestIndex, position, outcome, usage: null };
}

/** A ledger in the SQLite of a fresh, never-started coordinator (no batch, so no queue traffic). */
async function withLedger(test: (ledger: ChunkLedger) => void): Promise<void> {
  const stub = env.BATCH_COORDINATOR.get(env.BATCH_COORDINATOR.idFromName(`ledger-${crypto.randomUUID()}`));
  await runInDurableObject(stub, (_instance, state) => {
    const ledger = new ChunkLedger(state.storage.sql);
    ledger.insertPlan(CHUNKS);
    test(ledger);
  });
}

describe("ChunkLedger", () => {
  it("records a line once however often it is reported", async () => {
    await withLedger((ledger) => {
      const now = 1_000_000;
      expect(ledger.lease(0, now).ok).toBe(true);
      expect(ledger.record(0, "seg-a", [line(0, 0), line(1, 1)], false, now).added).toHaveLength(2);
      // a redelivered runner reports the same lines again, from another segment
      const again = ledger.record(0, "seg-b", [line(0, 0), line(1, 1), line(2, 2, "failed")], false, now);
      expect(again.added.map((l) => l.requestIndex)).toEqual([2]);
      expect(again.chunkComplete).toBe(true);
      expect(ledger.linesOf(0)).toEqual([
        { request_index: 0, outcome: "completed", segment: "seg-a", position: 0 },
        { request_index: 1, outcome: "completed", segment: "seg-a", position: 1 },
        { request_index: 2, outcome: "failed", segment: "seg-b", position: 2 },
      ]);
    });
  });

  it("refuses a second runner while a lease is live and hands over the done lines after it lapses", async () => {
    await withLedger((ledger) => {
      const now = 2_000_000;
      expect(ledger.lease(1, now).ok).toBe(true);
      expect(ledger.lease(1, now + 1)).toEqual({ ok: false, reason: "leased" });
      ledger.record(1, "s", [line(3, 0)], false, now + 10);
      expect(ledger.lease(1, now + 10 + LEASE_MS - 1)).toEqual({ ok: false, reason: "leased" });
      const next = ledger.lease(1, now + 10 + LEASE_MS + 1);
      expect(next).toMatchObject({ ok: true, doneRequests: [3] });
    });
  });

  it("refuses a done chunk and an unknown one", async () => {
    await withLedger((ledger) => {
      ledger.lease(2, 0);
      ledger.record(2, "s", [line(6, 0), line(7, 1), line(8, 2)], true, 0);
      expect(ledger.lease(2, 1)).toEqual({ ok: false, reason: "done" });
      expect(ledger.lease(99, 1)).toEqual({ ok: false, reason: "unknown_chunk" });
    });
  });

  it("dispatches pending chunks in order and finds stalled ones for re-sending", async () => {
    await withLedger((ledger) => {
      const now = 5_000_000;
      expect(ledger.takePending(2, now).map((c) => c.index)).toEqual([0, 1]);
      expect(ledger.inFlightCount()).toBe(2);
      expect(ledger.takePending(5, now).map((c) => c.index)).toEqual([2]);
      // chunk 0 runs and goes quiet; chunk 1's message is lost; chunk 2 finishes
      ledger.lease(0, now);
      ledger.lease(2, now);
      ledger.record(2, "s", [line(6, 0), line(7, 1), line(8, 2)], true, now);
      expect(ledger.takeStalled(now + 1000)).toEqual([]);
      const stalled = ledger.takeStalled(now + LEASE_MS + 1000).map((c) => c.index);
      expect(stalled).toEqual([0, 1]);
      expect(ledger.allDone()).toBe(false);
    });
  });

  it("puts a chunk whose runner stopped short back in the queue state", async () => {
    await withLedger((ledger) => {
      ledger.lease(0, 0);
      const result = ledger.record(0, "s", [line(0, 0)], true, 10);
      expect(result.chunkComplete).toBe(false);
      expect(ledger.runningCount(10)).toBe(0);
      expect(ledger.lease(0, 20)).toMatchObject({ ok: true, doneRequests: [0] });
    });
  });

  it("hands a crashed runner's chunk to a new runner within a minute", async () => {
    await withLedger((ledger) => {
      const crashedAt = 7_000_000;
      ledger.takePending(1, crashedAt - 5_000);
      ledger.lease(0, crashedAt - 5_000);
      // the runner's last heartbeat, then nothing
      ledger.record(0, "s", [line(0, 0)], false, crashedAt);
      // the coordinator's watchdog looks every WATCHDOG_INTERVAL_MS (15 s): the latest look that can
      // still miss the lapse is LEASE_MS after the crash, the next one 15 s later
      expect(ledger.takeStalled(crashedAt + 45_000).map((c) => c.index)).toEqual([0]);
      expect(ledger.lease(0, crashedAt + 45_000)).toMatchObject({ ok: true, doneRequests: [0] });
    });
  });
});
