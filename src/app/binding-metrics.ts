import type { RateLimiter } from "../inference/limiter-client";
import type { InferenceProvider } from "../inference/types";
import { toInferenceError } from "../inference/workers-ai-errors";

/**
 * Opt-in counters of binding operations for benchmarks (`npm run bench:batch`): R2 calls, queue
 * messages, D1 statements, Durable Object RPCs, model calls and lines in flight. `createDeps` wraps
 * the bindings with these counting proxies only when `BINDING_METRICS = "on"` and
 * `ENVIRONMENT = "local"`; otherwise nothing here runs. Read and reset them through
 * `/v1/_debug/binding-metrics` (src/routes/debug).
 *
 * The counters are an isolate-lifetime cache: module state that lives as long as the isolate and
 * is lost when it restarts (the `isolate.id` in a snapshot changes then). Under `wrangler dev` the
 * Worker's fetch handler, its queue consumer and its Durable Objects all run in one isolate, so one
 * set of counters sees every operation (the bench checks this: `run_chunk` messages are only sent
 * by the coordinator and `recordLines` is only called by the consumer, and both show up).
 */

/** R2 operations billed as Class A (writes and lists) and Class B (reads); `delete` and `abort` are free. */
const R2_CLASS_A = new Set(["put", "list", "createMultipartUpload", "uploadPart", "complete"]);
const R2_CLASS_B = new Set(["get", "head"]);
const R2_COUNTED = new Set([...R2_CLASS_A, ...R2_CLASS_B, "delete", "abort", "resumeMultipartUpload"]);
const D1_EXECUTORS = new Set(["run", "all", "first", "raw"]);
/** Properties of a Durable Object stub that are not RPC calls. */
const STUB_PROPERTIES = new Set(["then", "id", "name", "constructor"]);

type Counts = Record<string, number>;

function emptyCounters() {
  return {
    r2: { ops: {} as Counts, classA: 0, classB: 0 },
    queue: { sendCalls: 0, messages: 0, byKind: {} as Counts },
    d1: { reads: 0, writes: 0, batchCalls: 0, rowsRead: 0, rowsWritten: 0 },
    durableObjects: { calls: 0, byMethod: {} as Counts },
    inference: {
      calls: 0,
      ok: 0,
      rateLimited: 0,
      failed: 0,
      firstCallAt: null as number | null,
      lastCallAt: null as number | null,
      firstOkAt: null as number | null,
      lastOkAt: null as number | null,
    },
    /** Lines between asking the rate limiter for a permit and the model's answer. */
    lines: { inFlight: 0, maxInFlight: 0, busyMs: 0, inFlightMs: 0, lastChangeAt: 0 },
  };
}

type Counters = ReturnType<typeof emptyCounters>;

// isolate-lifetime state (see the module comment); the id is drawn lazily because workerd refuses
// random values at global scope
let counters: Counters = emptyCounters();
let isolate: { id: string; startedAt: number } | null = null;
let resetAt = Date.now();

function isolateInfo(): { id: string; startedAt: number } {
  isolate ??= { id: crypto.randomUUID(), startedAt: Date.now() };
  return isolate;
}

function bump(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

export type BindingMetricsSnapshot = Counters & {
  isolate: { id: string; startedAt: number; resetAt: number };
  r2: Counters["r2"] & { total: number };
  lines: Counters["lines"] & { meanInFlight: number };
};

export function bindingMetricsSnapshot(): BindingMetricsSnapshot {
  moveLineGauge(0);
  const c: Counters = structuredClone(counters);
  return {
    ...c,
    isolate: { ...isolateInfo(), resetAt },
    r2: { ...c.r2, total: Object.values(c.r2.ops).reduce((a, b) => a + b, 0) },
    lines: { ...c.lines, meanInFlight: c.lines.busyMs > 0 ? c.lines.inFlightMs / c.lines.busyMs : 0 },
  };
}

/** Zeroes every counter; lines still in flight stay counted so the gauge cannot go negative. */
export function resetBindingMetrics(): void {
  const inFlight = counters.lines.inFlight;
  counters = emptyCounters();
  counters.lines.inFlight = inFlight;
  counters.lines.lastChangeAt = Date.now();
  resetAt = Date.now();
  isolateInfo();
}

/** Moves the lines-in-flight gauge, integrating it over time for a mean while any line is in flight. */
function moveLineGauge(delta: number): void {
  const g = counters.lines;
  const now = Date.now();
  if (g.inFlight > 0 && g.lastChangeAt > 0) {
    g.busyMs += now - g.lastChangeAt;
    g.inFlightMs += g.inFlight * (now - g.lastChangeAt);
  }
  g.lastChangeAt = now;
  g.inFlight = Math.max(0, g.inFlight + delta);
  g.maxInFlight = Math.max(g.maxInFlight, g.inFlight);
}

/**
 * A proxy that passes every call through to `target` (with `this` bound to it, as native bindings
 * require) and tells `onCall` about the methods it is asked to count. `after` may replace a result.
 */
function countingProxy<T extends object>(
  target: T,
  counted: (method: string) => boolean,
  onCall: (method: string, args: unknown[]) => void,
  after?: (method: string, result: unknown) => unknown,
): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (typeof value !== "function" || typeof prop !== "string") {
        return value;
      }
      // Reflect.apply, not fn.apply: on an RPC stub, `.apply` would itself be a remote method
      const fn = value as (...args: unknown[]) => unknown;
      if (!counted(prop)) {
        return (...args: unknown[]) => Reflect.apply(fn, obj, args);
      }
      return (...args: unknown[]) => {
        onCall(prop, args);
        const result = Reflect.apply(fn, obj, args);
        return after ? after(prop, result) : result;
      };
    },
  });
}

function countR2(op: string): void {
  bump(counters.r2.ops, op);
  if (R2_CLASS_A.has(op)) {
    counters.r2.classA++;
  } else if (R2_CLASS_B.has(op)) {
    counters.r2.classB++;
  }
}

function countingMultipartUpload(upload: R2MultipartUpload): R2MultipartUpload {
  return countingProxy(upload, (m) => R2_COUNTED.has(m), countR2);
}

export function countingR2Bucket(bucket: R2Bucket): R2Bucket {
  return countingProxy(
    bucket,
    (m) => R2_COUNTED.has(m),
    countR2,
    (method, result) => {
      if (method === "createMultipartUpload") {
        return (result as Promise<R2MultipartUpload>).then(countingMultipartUpload);
      }
      if (method === "resumeMultipartUpload") {
        return countingMultipartUpload(result as R2MultipartUpload);
      }
      return result;
    },
  );
}

function messageKind(body: unknown): string {
  const kind = (body as { kind?: unknown } | null)?.kind;
  return typeof kind === "string" ? kind : "other";
}

export function countingQueue<Body>(queue: Queue<Body>): Queue<Body> {
  return countingProxy(
    queue,
    (m) => m === "send" || m === "sendBatch",
    (method, args) => {
      counters.queue.sendCalls++;
      const bodies =
        method === "send"
          ? [args[0]]
          : [...(args[0] as Iterable<MessageSendRequest<Body>>)].map((m) => m.body);
      counters.queue.messages += bodies.length;
      for (const body of bodies) {
        bump(counters.queue.byKind, messageKind(body));
      }
    },
  );
}

/** `write` unless the statement only reads: SELECT, or a WITH … that never inserts, updates or deletes. */
export function sqlKind(sql: string): "read" | "write" {
  const text = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .trim();
  const verb = /^[a-z]+/i.exec(text)?.[0]?.toUpperCase();
  if (verb === "SELECT" || verb === "PRAGMA" || verb === "EXPLAIN") {
    return "read";
  }
  if (verb === "WITH") {
    return /\b(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(text) ? "write" : "read";
  }
  return "write";
}

function countStatement(kind: "read" | "write"): void {
  counters.d1[kind === "read" ? "reads" : "writes"]++;
}

function countRows(result: unknown): void {
  const meta = (result as { meta?: { rows_read?: unknown; rows_written?: unknown } } | null)?.meta;
  if (typeof meta?.rows_read === "number") {
    counters.d1.rowsRead += meta.rows_read;
  }
  if (typeof meta?.rows_written === "number") {
    counters.d1.rowsWritten += meta.rows_written;
  }
}

/** What D1 needs back from a statement proxy (its own object) and how it was classified. */
const statements = new WeakMap<object, { target: D1PreparedStatement; kind: "read" | "write" }>();

function countingStatement(statement: D1PreparedStatement, kind: "read" | "write"): D1PreparedStatement {
  const proxy = countingProxy(
    statement,
    (m) => m === "bind" || D1_EXECUTORS.has(m),
    (method) => {
      if (method !== "bind") {
        countStatement(kind);
      }
    },
    (method, result) => {
      if (method === "bind") {
        return countingStatement(result as D1PreparedStatement, kind);
      }
      return (result as Promise<unknown>).then((value) => {
        countRows(value);
        return value;
      });
    },
  );
  statements.set(proxy, { target: statement, kind });
  return proxy;
}

export function countingD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (typeof value !== "function") {
        return value;
      }
      if (prop === "prepare") {
        return (sql: string) => countingStatement(obj.prepare(sql), sqlKind(sql));
      }
      if (prop === "batch") {
        // D1 only accepts its own statement objects: hand it the ones behind the proxies
        return async (batch: D1PreparedStatement[]) => {
          counters.d1.batchCalls++;
          for (const statement of batch) {
            countStatement(statements.get(statement)?.kind ?? "write");
          }
          const results = await obj.batch(batch.map((s) => statements.get(s)?.target ?? s));
          results.forEach(countRows);
          return results;
        };
      }
      if (prop === "exec") {
        return (sql: string) => {
          countStatement(sqlKind(sql));
          return obj.exec(sql);
        };
      }
      return (...args: unknown[]) => Reflect.apply(value as (...a: unknown[]) => unknown, obj, args);
    },
  });
}

function countingStub<T extends object>(binding: string, stub: T): T {
  return countingProxy(
    stub,
    (m) => !STUB_PROPERTIES.has(m),
    (method) => {
      counters.durableObjects.calls++;
      bump(counters.durableObjects.byMethod, `${binding}.${method}`);
    },
  );
}

/** Counts every RPC (and `fetch`) on the stubs this namespace hands out, as `<binding>.<method>`. */
export function countingNamespace<T extends object>(binding: string, namespace: T): T {
  return countingProxy(
    namespace,
    (m) => m === "get" || m === "getByName",
    () => {},
    (_method, stub) => countingStub(binding, stub as object),
  );
}

/** Counts model calls by outcome and closes a line's span in the lines-in-flight gauge. */
export function countingInference(provider: InferenceProvider): InferenceProvider {
  return {
    catalogue: () => provider.catalogue(),
    run: async (request) => {
      const inf = counters.inference;
      const started = Date.now();
      inf.calls++;
      inf.firstCallAt ??= started;
      inf.lastCallAt = started;
      try {
        const result = await provider.run(request);
        const now = Date.now();
        inf.ok++;
        inf.firstOkAt ??= now;
        inf.lastOkAt = now;
        return result;
      } catch (err) {
        const failure = toInferenceError(err);
        if (failure.status === 429) {
          inf.rateLimited++;
        } else {
          inf.failed++;
        }
        throw err;
      } finally {
        moveLineGauge(-1);
      }
    },
  };
}

/** Opens a line's span in the lines-in-flight gauge when it asks for a permit (closed by the model call). */
export function countingRateLimiter(limiter: RateLimiter): RateLimiter {
  return {
    acquire: async (model, options) => {
      moveLineGauge(1);
      const granted = await limiter.acquire(model, options);
      if (!granted) {
        moveLineGauge(-1);
      }
      return granted;
    },
    report: (model, outcome, flow) => limiter.report(model, outcome, flow),
    flush: () => limiter.flush(),
  };
}

type CountedBindings = Pick<
  Env,
  "DB" | "FILES_BUCKET" | "BATCH_QUEUE" | "BATCH_COORDINATOR" | "MODEL_RATE_LIMITER"
>;

/** The bindings `createDeps` turns into objects, each wrapped in its counting proxy. */
export function countingBindings(env: CountedBindings): CountedBindings {
  return {
    DB: countingD1(env.DB),
    FILES_BUCKET: countingR2Bucket(env.FILES_BUCKET),
    BATCH_QUEUE: countingQueue(env.BATCH_QUEUE),
    BATCH_COORDINATOR: countingNamespace("BATCH_COORDINATOR", env.BATCH_COORDINATOR),
    MODEL_RATE_LIMITER: countingNamespace("MODEL_RATE_LIMITER", env.MODEL_RATE_LIMITER),
  };
}
