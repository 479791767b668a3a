import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import {
  type BindingMetricsSnapshot,
  bindingMetricsSnapshot,
  countingD1,
  countingNamespace,
  countingQueue,
  countingR2Bucket,
  resetBindingMetrics,
  sqlKind,
} from "../../src/app/binding-metrics";
import { readConfig } from "../../src/app/config";
import { createApp } from "../../src/app/create-app";
import { modelRateLimiterFor } from "../../src/durable/model-rate-limiter";
import { call, type ErrorEnvelope } from "../helpers/api";
import { BATCH_LINE, BOUNDARY, multipartBody } from "../helpers/files";
import { PROJECT_A } from "../helpers/projects";

beforeEach(() => {
  resetBindingMetrics();
});

describe("binding metrics", () => {
  it("counts R2 calls by operation and billing class", async () => {
    const bucket = countingR2Bucket(env.FILES_BUCKET);
    const key = `test/binding-metrics/${crypto.randomUUID()}`;
    await bucket.put(key, "hello");
    expect(await (await bucket.get(key))?.text()).toBe("hello");
    await bucket.head(key);
    const upload = await bucket.createMultipartUpload(`${key}-multi`);
    const part = await upload.uploadPart(1, "x");
    await upload.complete([part]);
    await bucket.delete([key, `${key}-multi`]);
    const { r2 } = bindingMetricsSnapshot();
    expect(r2.ops).toEqual({
      put: 1,
      get: 1,
      head: 1,
      createMultipartUpload: 1,
      uploadPart: 1,
      complete: 1,
      delete: 1,
    });
    expect(r2).toMatchObject({ classA: 4, classB: 2, total: 7 });
  });

  it("counts D1 statements as reads or writes, in batches too", async () => {
    const db = countingD1(env.DB);
    await db.prepare("SELECT id FROM projects WHERE id = ?").bind(PROJECT_A.id).first();
    await db.batch([
      db.prepare("SELECT COUNT(*) FROM projects").bind(),
      db.prepare("UPDATE projects SET name = name WHERE id = ?").bind("proj_none"),
    ]);
    expect(bindingMetricsSnapshot().d1).toMatchObject({ reads: 2, writes: 1, batchCalls: 1 });
  });

  it.each([
    ["SELECT 1", "read"],
    ["  -- comment\n select * from files", "read"],
    ["WITH x AS (SELECT 1) SELECT * FROM x", "read"],
    ["WITH x AS (SELECT 1) DELETE FROM files WHERE id IN x", "write"],
    ["INSERT INTO files VALUES (1) RETURNING id", "write"],
    ["UPDATE batches SET status = 'x'", "write"],
  ] as const)("classifies %j as a %s", (sql, kind) => {
    expect(sqlKind(sql)).toBe(kind);
  });

  it("counts queue messages per kind", async () => {
    const sent: unknown[] = [];
    const fake = {
      send: async (body: unknown) => {
        sent.push(body);
      },
      sendBatch: async (messages: Iterable<MessageSendRequest>) => {
        sent.push(...[...messages].map((m) => m.body));
      },
    } as unknown as Queue;
    const queue = countingQueue(fake);
    await queue.send({ kind: "validate_batch" });
    await queue.sendBatch([{ body: { kind: "run_chunk" } }, { body: { kind: "run_chunk" } }]);
    expect(sent).toHaveLength(3);
    expect(bindingMetricsSnapshot().queue).toEqual({
      sendCalls: 2,
      messages: 3,
      byKind: { validate_batch: 1, run_chunk: 2 },
    });
  });

  it("counts Durable Object RPCs per binding and method", async () => {
    const namespace = countingNamespace("MODEL_RATE_LIMITER", env.MODEL_RATE_LIMITER);
    const stub = modelRateLimiterFor(namespace, "@cf/test/model");
    await stub.snapshot();
    await stub.snapshot();
    expect(bindingMetricsSnapshot().durableObjects).toEqual({
      calls: 2,
      byMethod: { "MODEL_RATE_LIMITER.snapshot": 2 },
    });
  });

  it("is applied by createDeps and served by the debug route when BINDING_METRICS is on", async () => {
    const app = createApp({ config: { ...readConfig(env), bindingMetrics: true } });
    const send = async (path: string, init: RequestInit = {}) => {
      const ctx = createExecutionContext();
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${PROJECT_A.key}`);
      const res = await app.fetch(new Request(`http://batch.test${path}`, { ...init, headers }), env, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    expect((await send("/v1/_debug/binding-metrics/reset", { method: "POST" })).status).toBe(200);
    const upload = await send("/v1/files", {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      body: multipartBody([
        { name: "file", value: `${BATCH_LINE}\n`, filename: "in.jsonl" },
        { name: "purpose", value: "batch" },
      ]),
    });
    expect(upload.status).toBe(200);
    const res = await send("/v1/_debug/binding-metrics");
    expect(res.status).toBe(200);
    const metrics = (await res.json()) as BindingMetricsSnapshot;
    expect(metrics.r2.ops.put).toBe(1);
    expect(metrics.d1.writes).toBeGreaterThanOrEqual(1);
    expect(metrics.d1.reads).toBeGreaterThanOrEqual(2); // two key lookups at least
    expect(metrics.isolate.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ["GET", "/v1/_debug/binding-metrics"],
    ["POST", "/v1/_debug/binding-metrics/reset"],
    ["POST", "/v1/_debug/direct-run"],
  ])("is off by default: %s %s answers 404", async (method, path) => {
    const res = await call<ErrorEnvelope>(method, path, { body: method === "POST" ? "" : undefined });
    expect(res.status).toBe(404);
    expect(res.body.error.type).toBe("invalid_request_error");
  });
});
