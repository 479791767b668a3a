import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ChunkPlan } from "../../src/domain/jsonl/chunk-planner";
import { AsyncLedger, pollDelayMs } from "../../src/durable/async-ledger";
import { ChunkLedger, LEASE_MS } from "../../src/durable/chunk-ledger";
import { migrateCoordinator } from "../../src/durable/coordinator-migrations";
import type { LineRecord } from "../../src/durable/coordinator-types";

/** Two chunks of four lines: chunk 0 holds requests 0..3, chunk 1 requests 4..7. */
const CHUNKS: ChunkPlan[] = [0, 1].map((index) => ({
  index,
  byteStart: index * 400,
  byteEnd: index * 400 + 399,
  firstLine: index * 4 + 1,
  firstRequest: index * 4,
  requestCount: 4,
}));

function line(requestIndex: number, position: number): LineRecord {
  return { requestIndex, position, outcome: "completed", usage: null };
}

/** Every line of chunk 1, as a runner that finished it synchronously reports them. */
function chunkOneLines(): LineRecord[] {
  return [4, 5, 6, 7].map((requestIndex, position) => line(requestIndex, position));
}

type Ledgers = { chunks: ChunkLedger; async: AsyncLedger; sql: SqlStorage };

function chunkState(sql: SqlStorage, index: number): string | undefined {
  return sql.exec<{ state: string }>("SELECT state FROM chunks WHERE idx = ?", index).toArray()[0]?.state;
}

/** Both ledgers on the SQLite of a fresh, never-started coordinator (its constructor migrated it). */
async function withLedgers(test: (ledgers: Ledgers) => void): Promise<void> {
  const stub = env.BATCH_COORDINATOR.get(env.BATCH_COORDINATOR.idFromName(`async-${crypto.randomUUID()}`));
  await runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const chunks = new ChunkLedger(sql);
    chunks.insertPlan(CHUNKS);
    test({ chunks, async: new AsyncLedger(sql), sql });
  });
}

/**
 * Chunk 0 dispatched and leased at `now`; requests 1 and 3 sent to the async queue and accepted;
 * the runner records 0 and 2 synchronously and stops (`final`), leaving only async lines.
 */
function parkOnAsync({ chunks, async }: Ledgers, now: number): number {
  chunks.takePending(1, now);
  chunks.lease(0, now);
  const submission = async.begin(0, "@cf/meta/llama-3.3-70b-instruct-fp8-fast", [1, 3], now);
  async.submitted(submission, "req-abc", now);
  const awaiting = async.awaiting(0).length;
  chunks.record(0, "sync-seg", [line(0, 0), line(2, 1)], true, now, awaiting);
  return submission;
}

describe("AsyncLedger requests", () => {
  it("lists a begun request's lines as awaiting, in item order", async () => {
    await withLedgers(({ async }) => {
      const id = async.begin(0, "m", [3, 1], 1_000);
      expect(async.get(id)).toMatchObject({ chunk: 0, model: "m", state: "submitting", request_id: null });
      expect(async.linesOf(id)).toEqual([3, 1]);
      expect(async.awaiting(0).sort()).toEqual([1, 3]);
      expect(async.awaiting(1)).toEqual([]);
      expect(async.outstanding()).toEqual({ requests: 1 });
    });
  });

  it("polls a submitted request only after the first delay, then backs off", async () => {
    await withLedgers(({ async }) => {
      const t0 = 5_000_000;
      const id = async.begin(0, "m", [0, 1], t0);
      // not submitted yet: there is no request id to poll
      expect(async.takeDuePolls(t0 + 10 * pollDelayMs(0), 10)).toEqual([]);
      async.submitted(id, "req-1", t0);
      expect(async.get(id)).toMatchObject({ state: "queued", request_id: "req-1" });

      expect(async.takeDuePolls(t0 + pollDelayMs(0) - 1, 10)).toEqual([]);
      const first = t0 + pollDelayMs(0);
      expect(async.takeDuePolls(first, 10).map((r) => r.id)).toEqual([id]);
      // taken once per due time: the next poll waits the longer, second delay
      expect(async.takeDuePolls(first, 10)).toEqual([]);
      expect(pollDelayMs(1)).toBeGreaterThan(pollDelayMs(0));
      expect(async.takeDuePolls(first + pollDelayMs(1) - 1, 10)).toEqual([]);
      const second = first + pollDelayMs(1);
      expect(async.takeDuePolls(second, 10).map((r) => r.id)).toEqual([id]);
      expect(async.get(id)?.next_poll_at).toBe(second + pollDelayMs(2));
      expect(async.get(id)?.polls).toBe(2);

      async.done(id);
      expect(async.takeDuePolls(second + 10 * pollDelayMs(10), 10)).toEqual([]);
      expect(async.outstanding()).toEqual({ requests: 0 });
    });
  });

  it("caps the backoff and the number of polls taken at once", async () => {
    await withLedgers(({ async }) => {
      expect(pollDelayMs(50)).toBe(pollDelayMs(20));
      const ids = [0, 1, 2].map((i) => {
        const id = async.begin(0, "m", [i], 0);
        async.submitted(id, `req-${i}`, 0);
        return id;
      });
      expect(async.takeDuePolls(pollDelayMs(0), 2).map((r) => r.id)).toEqual(ids.slice(0, 2));
      expect(async.takeDuePolls(pollDelayMs(0), 2).map((r) => r.id)).toEqual(ids.slice(2));
    });
  });

  it("falls back all of a failed request's lines to the synchronous path", async () => {
    await withLedgers(({ async }) => {
      const id = async.begin(1, "m", [4, 5, 6], 0);
      async.submitted(id, "req", 0);
      async.fallBack(id);
      expect(async.get(id)?.state).toBe("failed");
      expect(async.syncOnly(1).sort()).toEqual([4, 5, 6]);
      expect(async.awaiting(1)).toEqual([]);
      expect(async.takeDuePolls(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    });
  });

  it("falls back only the lines an answer lacked", async () => {
    await withLedgers(({ async }) => {
      const id = async.begin(1, "m", [4, 5, 6], 0);
      async.submitted(id, "req", 0);
      async.fallBack(id, [5]);
      expect(async.syncOnly(1)).toEqual([5]);
      expect(async.awaiting(1).sort()).toEqual([4, 6]);
      expect(async.linesOf(id)).toEqual([4, 6]);
    });
  });

  it("frees the lines of requests a lost runner began but never saw accepted", async () => {
    await withLedgers(({ async }) => {
      const lost = async.begin(0, "m", [0, 1], 0);
      const accepted = async.begin(0, "m", [2], 0);
      async.submitted(accepted, "req", 0);
      const otherChunk = async.begin(1, "m", [4], 0);

      async.abandonSubmitting(0);
      expect(async.get(lost)?.state).toBe("failed");
      expect(async.linesOf(lost)).toEqual([]);
      // freed: neither awaited nor forced synchronous, so the new runner may send them again
      expect(async.awaiting(0)).toEqual([2]);
      expect(async.syncOnly(0)).toEqual([]);
      expect(async.get(accepted)?.state).toBe("queued");
      expect(async.get(otherChunk)?.state).toBe("submitting");
      const again = async.begin(0, "m", [0, 1], 1);
      expect(async.linesOf(again)).toEqual([0, 1]);
    });
  });

  it("stops awaiting a line once it is recorded", async () => {
    await withLedgers(({ chunks, async }) => {
      const id = async.begin(0, "m", [0, 1], 0);
      async.submitted(id, "req", 0);
      chunks.recordAsync(0, "async-seg", [line(1, 0)]);
      expect(async.awaiting(0)).toEqual([0]);
    });
  });
});

describe("ChunkLedger with async lines", () => {
  it("parks a chunk whose unfinished lines all await async requests as waiting", async () => {
    await withLedgers((ledgers) => {
      const now = 1_000_000;
      parkOnAsync(ledgers, now);
      const { chunks, sql } = ledgers;
      expect(chunkState(sql, 0)).toBe("waiting");
      expect(chunks.inFlightCount()).toBe(0);
      expect(chunks.runningCount(now)).toBe(0);
      // the watchdog neither re-sends it nor counts it as idle, however long the queue takes
      expect(chunks.takeStalled(now + 100 * LEASE_MS).map((c) => c.index)).toEqual([]);
      expect(chunks.takeIdle(now + 100 * LEASE_MS)).toEqual([]);
      expect(chunkState(sql, 0)).toBe("waiting");
      expect(chunks.allDone()).toBe(false);
    });
  });

  it("puts a chunk back in the queue when some unfinished lines await nothing", async () => {
    await withLedgers(({ chunks, async, sql }) => {
      chunks.takePending(1, 0);
      chunks.lease(0, 0);
      const id = async.begin(0, "m", [3], 0);
      async.submitted(id, "req", 0);
      chunks.record(0, "s", [line(0, 0)], true, 10, async.awaiting(0).length);
      expect(chunkState(sql, 0)).toBe("queued");
      expect(chunks.inFlightCount()).toBe(1);
    });
  });

  it("completes a waiting chunk when the async answers are recorded", async () => {
    await withLedgers((ledgers) => {
      const { chunks, async, sql } = ledgers;
      const id = parkOnAsync(ledgers, 0);
      // the other chunk finishes synchronously
      chunks.lease(1, 0);
      chunks.record(1, "s", chunkOneLines(), true, 0);

      const partial = chunks.recordAsync(0, "async-seg", [line(3, 0)]);
      expect(partial).toEqual({ added: [line(3, 0)], chunkComplete: false });
      expect(chunkState(sql, 0)).toBe("waiting");

      const rest = chunks.recordAsync(0, "async-seg", [line(3, 0), line(1, 1)]);
      expect(rest.added.map((l) => l.requestIndex)).toEqual([1]);
      expect(rest.chunkComplete).toBe(true);
      async.done(id);
      expect(chunkState(sql, 0)).toBe("done");
      expect(chunks.allDone()).toBe(true);
      expect(chunks.linesOf(0).map((l) => [l.request_index, l.segment])).toEqual([
        [0, "sync-seg"],
        [1, "async-seg"],
        [2, "sync-seg"],
        [3, "async-seg"],
      ]);
    });
  });

  it("wakes a waiting chunk whose async request failed, for its lines to run synchronously", async () => {
    await withLedgers((ledgers) => {
      const { chunks, async, sql } = ledgers;
      const id = parkOnAsync(ledgers, 0);
      async.fallBack(id);
      const plan = chunks.wake(0, 500);
      expect(plan).toEqual(CHUNKS[0]);
      expect(chunkState(sql, 0)).toBe("queued");
      expect(chunks.inFlightCount()).toBe(1);
      // the next runner is told what is done and what must run synchronously
      expect(chunks.lease(0, 600)).toMatchObject({ ok: true, doneRequests: [0, 2] });
      expect(async.syncOnly(0).sort()).toEqual([1, 3]);
      expect(async.awaiting(0)).toEqual([]);
      // a woken chunk that is queued again is left alone
      expect(chunks.wake(0, 700)).toBeNull();
    });
  });

  it("does not wake a running or a done chunk", async () => {
    await withLedgers(({ chunks, sql }) => {
      chunks.lease(0, 0);
      expect(chunks.wake(0, 1)).toBeNull();
      expect(chunkState(sql, 0)).toBe("running");
      chunks.lease(1, 0);
      chunks.record(1, "s", chunkOneLines(), true, 0);
      expect(chunks.wake(1, 1)).toBeNull();
      expect(chunkState(sql, 1)).toBe("done");
      expect(chunks.wake(99, 1)).toBeNull();
    });
  });
});

const V3_CHUNKS = `CREATE TABLE chunks (
  idx INTEGER PRIMARY KEY,
  byte_start INTEGER NOT NULL,
  byte_end INTEGER NOT NULL,
  first_line INTEGER NOT NULL,
  first_request INTEGER NOT NULL,
  request_count INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'queued', 'running', 'done')),
  done_count INTEGER NOT NULL DEFAULT 0,
  dispatched_at INTEGER,
  lease_until INTEGER
);
CREATE INDEX chunks_state ON chunks(state, idx);`;

describe("coordinator migration 4", () => {
  it("keeps the chunks of a coordinator at schema version 3 and lets them wait on async requests", async () => {
    const stub = env.BATCH_COORDINATOR.get(env.BATCH_COORDINATOR.idFromName(`v3-${crypto.randomUUID()}`));
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      // roll this coordinator's schema back to what version 3 left
      sql.exec("DROP TABLE async_lines; DROP TABLE async_requests; DROP TABLE chunks;");
      sql.exec(V3_CHUNKS);
      sql.exec("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
      const chunks = new ChunkLedger(sql);
      chunks.insertPlan(CHUNKS);
      chunks.takePending(2, 100);
      chunks.lease(0, 200);
      chunks.record(0, "seg", [line(0, 0), line(1, 1)], false, 200);
      chunks.lease(1, 200);
      chunks.record(1, "seg", chunkOneLines(), true, 200);
      expect(() => sql.exec("UPDATE chunks SET state = 'waiting' WHERE idx = 0")).toThrow();
      const before = sql.exec("SELECT * FROM chunks ORDER BY idx").toArray();

      migrateCoordinator(sql);

      const version = sql
        .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'")
        .one();
      expect(version.value).toBe("4");
      expect(sql.exec("SELECT * FROM chunks ORDER BY idx").toArray()).toEqual(before);
      expect(chunks.linesOf(0).map((l) => l.request_index)).toEqual([0, 1]);
      expect(chunks.lease(0, 200 + LEASE_MS - 1)).toEqual({ ok: false, reason: "leased" });

      // the new schema: async requests, and a chunk left with only async lines goes waiting
      const asyncLedger = new AsyncLedger(sql);
      const id = asyncLedger.begin(0, "m", [2, 3], 300);
      asyncLedger.submitted(id, "req", 300);
      chunks.record(0, "seg", [], true, 300, asyncLedger.awaiting(0).length);
      expect(chunkState(sql, 0)).toBe("waiting");

      // running the migrations again changes nothing
      migrateCoordinator(sql);
      expect(chunkState(sql, 0)).toBe("waiting");
      expect(asyncLedger.linesOf(id)).toEqual([2, 3]);
    });
  });
});
