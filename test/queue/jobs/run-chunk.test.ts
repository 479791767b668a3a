import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps, type Deps } from "../../../src/app/deps";
import type { ChunkPlan } from "../../../src/domain/jsonl/chunk-planner";
import type {
  ChunkLease,
  Coordinator,
  LineRecord,
  RecordResult,
} from "../../../src/durable/coordinator-types";
import { unlimitedRateLimiter } from "../../../src/inference/limiter-client";
import type { InferenceProvider } from "../../../src/inference/types";
import { runChunk } from "../../../src/queue/jobs/run-chunk";
import { R2BatchWorkStore } from "../../../src/storage/r2/batch-work";
import { chatLine } from "../../helpers/batches";
import { fakeCoordinators } from "../../helpers/coordinators";

/** The coordinator's ledger rules (a line is recorded once) in memory, so one runner can be watched alone. */
class FakeCoordinator implements Partial<Coordinator> {
  readonly ledger = new Map<number, { segment: string; position: number; outcome: string }>();

  constructor(
    private readonly chunk: ChunkPlan,
    private readonly inputKey: string,
  ) {}

  async beginChunk(): Promise<ChunkLease> {
    return {
      run: true,
      chunk: this.chunk,
      doneRequests: [...this.ledger.keys()],
      endpoint: "/v1/chat/completions",
      inputKey: this.inputKey,
      baseModel: null,
      deadlineMs: Date.now() + 60_000,
      projectId: "proj_test",
      remaining: this.chunk.requestCount - this.ledger.size,
      awaitingAsync: [],
      syncOnly: [],
    };
  }

  async recordLines(_index: number, segment: string, lines: LineRecord[]): Promise<RecordResult> {
    for (const line of lines) {
      if (!this.ledger.has(line.requestIndex)) {
        this.ledger.set(line.requestIndex, { segment, position: line.position, outcome: line.outcome });
      }
    }
    return { proceed: true, chunkComplete: this.ledger.size >= this.chunk.requestCount };
  }

  async mayProceed(): Promise<boolean> {
    return true;
  }
}

async function setup(count: number) {
  const inputKey = `test-inputs/${crypto.randomUUID()}.jsonl`;
  const content = Array.from({ length: count }, (_, i) =>
    JSON.stringify(chatLine(`r${i}`, `line ${i}`)),
  ).join("\n");
  await env.FILES_BUCKET.put(inputKey, content);
  const chunk: ChunkPlan = {
    index: 0,
    byteStart: 0,
    byteEnd: content.length,
    firstLine: 1,
    firstRequest: 0,
    requestCount: count,
  };
  const coordinator = new FakeCoordinator(chunk, inputKey);
  const calls: string[] = [];
  const real = createDeps(env).inference;
  const inference: InferenceProvider = {
    run: async (request) => {
      calls.push(String((request.body.messages as Array<{ content: string }>)[0]?.content));
      return real.run(request);
    },
    catalogue: () => real.catalogue(),
  };
  const coordinators = fakeCoordinators(() => coordinator);
  const deps = (overrides: Partial<Deps> = {}): Deps =>
    createDeps(env, { coordinators, inference, rateLimiter: unlimitedRateLimiter, ...overrides });
  return { chunk, coordinator, calls, deps, batchId: `batch_test${crypto.randomUUID().replaceAll("-", "")}` };
}

describe("runChunk", () => {
  it("sends only the lines the ledger lacks to the model", async () => {
    const { chunk, coordinator, calls, deps, batchId } = await setup(10);
    for (const done of [0, 1, 2, 3]) {
      coordinator.ledger.set(done, { segment: "earlier", position: done, outcome: "completed" });
    }
    await runChunk(deps(), batchId, chunk);
    expect(calls.sort()).toEqual(["line 4", "line 5", "line 6", "line 7", "line 8", "line 9"]);
    expect([...coordinator.ledger.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("writes each recorded line into the segment the ledger points at", async () => {
    const { chunk, coordinator, deps, batchId } = await setup(5);
    await runChunk(deps(), batchId, chunk);
    for (const [requestIndex, entry] of coordinator.ledger) {
      const text = await (await env.FILES_BUCKET.get(entry.segment))?.text();
      const line = JSON.parse(String(text?.split("\n")[entry.position]));
      expect(line.custom_id).toBe(`r${requestIndex}`);
      expect(line.response.status_code).toBe(200);
    }
  });

  it("fails when a result write fails, and a retry runs only the lines that were never recorded", async () => {
    const { chunk, coordinator, calls, deps, batchId } = await setup(80);
    let puts = 0;
    const failingSecondPut = new Proxy(env.FILES_BUCKET, {
      get(target, property, receiver) {
        if (property === "put") {
          return (...args: Parameters<R2Bucket["put"]>) => {
            puts++;
            return puts === 2 ? Promise.reject(new Error("R2 is having a bad day")) : target.put(...args);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await expect(
      runChunk(deps({ batchWork: new R2BatchWorkStore(failingSecondPut) }), batchId, chunk),
    ).rejects.toThrow("bad day");
    const recorded = coordinator.ledger.size;
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThan(80);
    const firstRunCalls = calls.length;

    await runChunk(deps(), batchId, chunk);
    expect(coordinator.ledger.size).toBe(80);
    expect(calls.length - firstRunCalls).toBe(80 - recorded);
    const rerun = new Set(calls.slice(firstRunCalls));
    for (const requestIndex of coordinator.ledger.keys()) {
      if (requestIndex < recorded) {
        expect(rerun.has(`line ${requestIndex}`)).toBe(false);
      }
    }
  });
});
