import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../../src/app/deps";
import type { ProjectId } from "../../../src/domain/ids";
import { formatResetDuration, rateLimitHeaders } from "../../../src/services/rate-limit-headers";
import { call } from "../../helpers/api";
import { CHAT_MODEL, chatLine, jsonl, uploadJsonl, waitForBatch } from "../../helpers/batches";
import { PROJECT_A, PROJECT_B } from "../../helpers/projects";
import { chatBody, syncBatch } from "../../helpers/sync-batch";

const NAMES = ["x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"];

async function limitProject(projectId: ProjectId, rpm: number) {
  await createDeps(env).rateLimits.upsert(projectId, CHAT_MODEL, { maxRequestsPer1Minute: rpm }, 0);
}

function expectHeaders(headers: Headers, limit: number) {
  expect(headers.get("x-ratelimit-limit-requests")).toBe(String(limit));
  const remaining = Number(headers.get("x-ratelimit-remaining-requests"));
  expect(Number.isInteger(remaining) && remaining >= 0 && remaining <= limit).toBe(true);
  expect(headers.get("x-ratelimit-reset-requests")).toMatch(/^(0s|\d+ms|\d+(\.\d)?s|\d+m\d+(\.\d)?s)$/);
}

describe("x-ratelimit-*-requests headers", () => {
  it("POST /v1/batches with a model carries the project's limit for it", async () => {
    await limitProject(PROJECT_A.id, 120);
    const file = await uploadJsonl(jsonl([chatLine("a", "hi")]));
    const res = await call<{ id: string }>("POST", "/v1/batches", {
      json: {
        input_file_id: file,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        model: CHAT_MODEL,
      },
    });
    expect(res.status).toBe(200);
    expectHeaders(res.headers, 120);
    await waitForBatch(res.body.id);
  });

  it("POST /v1/batches without a model has none (the lines name it later)", async () => {
    const file = await uploadJsonl(jsonl([chatLine("a", "hi")]));
    const res = await call<{ id: string }>("POST", "/v1/batches", {
      json: { input_file_id: file, endpoint: "/v1/chat/completions", completion_window: "24h" },
    });
    expect(res.status).toBe(200);
    for (const name of NAMES) {
      expect(res.headers.get(name)).toBeNull();
    }
    await waitForBatch(res.body.id);
  });

  it("the synchronous batch endpoint carries them for its rows' model", async () => {
    await limitProject(PROJECT_A.id, 90);
    const res = await syncBatch("chat/completions", { data: [["r1", chatBody("hi")]] });
    expect(res.status).toBe(200);
    expectHeaders(res.headers, 90);
  });

  it("remaining is min(limit, pool rate) less the project's running shares; reset the used part of a minute", async () => {
    await limitProject(PROJECT_B.id, 120);
    const deps = createDeps(env, {
      poolSnapshot: async () => ({
        rpm: 300,
        ceilingRpm: 285,
        rateRpm: 200,
        shares: [
          { projectId: PROJECT_B.id, batchId: "batch_1", rateRpm: 30, urgent: false },
          { projectId: PROJECT_B.id, batchId: "batch_2", rateRpm: 20, urgent: false },
          { projectId: PROJECT_A.id, batchId: "batch_3", rateRpm: 150, urgent: false },
        ],
      }),
    });
    expect(await rateLimitHeaders(deps, PROJECT_B.id, CHAT_MODEL)).toEqual({
      "x-ratelimit-limit-requests": "120",
      "x-ratelimit-remaining-requests": "70",
      "x-ratelimit-reset-requests": "25s",
    });
    // an unreachable pool limiter: its rate is taken as the model's, nothing is known to run
    const down = createDeps(env, { poolSnapshot: () => Promise.reject(new Error("down")) });
    expect(await rateLimitHeaders(down, PROJECT_B.id, CHAT_MODEL)).toMatchObject({
      "x-ratelimit-limit-requests": "120",
      "x-ratelimit-remaining-requests": "120",
      "x-ratelimit-reset-requests": "0s",
    });
    expect(await rateLimitHeaders(deps, PROJECT_B.id, "no-such-model")).toEqual({});
  });

  it("writes durations as OpenAI does", () => {
    expect([0, 250, 1500, 25_000, 60_000, 123_400].map(formatResetDuration)).toEqual([
      "0s",
      "250ms",
      "1.5s",
      "25s",
      "1m0s",
      "2m3.4s",
    ]);
  });

  it("are declared in the OpenAPI document", async () => {
    const doc = await call<{
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    }>("GET", "/openapi.json");
    for (const path of ["/v1/batches", "/v1/batch/chat/completions"]) {
      expect(Object.keys(doc.body.paths[path]?.post?.responses["200"]?.headers ?? {})).toEqual(
        expect.arrayContaining(NAMES),
      );
    }
  });
});
