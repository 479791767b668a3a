import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Coordinator } from "../../../src/durable/coordinator-types";
import type { Batch } from "../../../src/schemas/batch";
import {
  CompletionsUsagePageSchema,
  EmbeddingsUsagePageSchema,
} from "../../../src/schemas/organization-usage";
import { admin, createProjectWithKey } from "../../helpers/admin";
import { call } from "../../helpers/api";
import { CHAT_MODEL, chatLine, createBatch, jsonl, TERMINAL, uploadJsonl } from "../../helpers/batches";
import { chatBody, EMBEDDING_MODEL, syncBatch, uniquePrompt } from "../../helpers/sync-batch";
import { describeAdminAuthCases, expectApiError } from "./helpers";

const hourAgo = () => Math.floor(Date.now() / 1000) - 3600;

async function waitForBatch(id: string, key: string, predicate = (b: Batch) => TERMINAL.includes(b.status)) {
  let last: Batch | undefined;
  await vi.waitUntil(
    async () => {
      last = (await call<Batch>("GET", `/v1/batches/${id}`, { key })).body;
      return predicate(last);
    },
    { timeout: 30_000, interval: 50 },
  );
  return last as Batch;
}

async function completions(query: string) {
  const res = await admin("GET", `/usage/completions?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return CompletionsUsagePageSchema.parse(res.body);
}

function coordinator(batchId: string): Coordinator {
  const ns = env.BATCH_COORDINATOR;
  return ns.get(ns.idFromName(batchId)) as unknown as Coordinator;
}

describe("GET /v1/organization/usage/completions", () => {
  it("shows a batch's tokens and requests once, by project, model, batch and key", async () => {
    const { id: projectId, key, keyId } = await createProjectWithKey();
    const lines = [chatLine("a", "one"), chatLine("b", "two"), chatLine("c", "three")];
    const created = await createBatch(await uploadJsonl(jsonl(lines), key), {}, key);
    const done = await waitForBatch(created.id, key);
    expect(done.request_counts).toMatchObject({ completed: 3, failed: 0 });
    const page = await completions(
      `start_time=${hourAgo()}&group_by[]=project_id&group_by[]=model&group_by[]=batch&group_by[]=api_key_id&project_ids[]=${projectId}&batch=true`,
    );
    const results = page.data.flatMap((bucket) => bucket.results);
    expect(results).toEqual([
      expect.objectContaining({
        project_id: projectId,
        model: CHAT_MODEL,
        batch: true,
        api_key_id: keyId,
        input_tokens: done.usage.input_tokens,
        output_tokens: done.usage.output_tokens,
        input_cached_tokens: done.usage.input_tokens_details.cached_tokens,
        num_model_requests: 3,
      }),
    ]);
    expect(page).toMatchObject({ object: "page", has_more: false, next_page: null });
  });

  it("counts a line once when its chunk's lines are recorded again (queue redelivery)", async () => {
    const { id: projectId, key } = await createProjectWithKey();
    const lines = [chatLine("fast", "quick"), chatLine("slow", "[sim:latency=4000] slow")];
    const created = await createBatch(await uploadJsonl(jsonl(lines), key), {}, key);
    await waitForBatch(created.id, key, (b) => b.request_counts.completed === 1);
    // the fast line (request 0) again, as a redelivered message's runner would hand it in, with usage
    // that would show if it were counted
    const again = [
      {
        requestIndex: 0,
        outcome: "completed" as const,
        position: 0,
        usage: { input: 1e6, output: 1e6, cached: 0, reasoning: 0 },
      },
    ];
    await coordinator(created.id).recordLines(0, "redelivered-segment", again, false);
    await coordinator(created.id).recordLines(0, "redelivered-segment", again, false);
    const done = await waitForBatch(created.id, key);
    expect(done.request_counts).toMatchObject({ completed: 2, failed: 0 });
    expect(done.usage.input_tokens).toBeLessThan(1e6);
    const page = await completions(`start_time=${hourAgo()}&project_ids=${projectId}`);
    expect(page.data.flatMap((b) => b.results)).toEqual([
      expect.objectContaining({
        input_tokens: done.usage.input_tokens,
        output_tokens: done.usage.output_tokens,
        num_model_requests: 2,
        project_id: null,
        model: null,
      }),
    ]);
  });

  it("counts synchronous batch calls as non-batch usage", async () => {
    const { id: projectId, key } = await createProjectWithKey();
    const rows = [1, 2, 3].map((i) => [i, chatBody(uniquePrompt(`sync ${i}`))]);
    const res = await syncBatch<{
      data: Array<[number, { usage: { prompt_tokens: number; completion_tokens: number } }]>;
    }>("chat/completions", { data: rows }, { key });
    expect(res.status).toBe(200);
    const input = res.body.data.reduce((n, [, r]) => n + r.usage.prompt_tokens, 0);
    const output = res.body.data.reduce((n, [, r]) => n + r.usage.completion_tokens, 0);
    const sync = await completions(
      `start_time=${hourAgo()}&project_ids=${projectId}&batch=false&group_by=batch`,
    );
    expect(sync.data.flatMap((b) => b.results)).toEqual([
      expect.objectContaining({
        batch: false,
        input_tokens: input,
        output_tokens: output,
        num_model_requests: 3,
      }),
    ]);
    const batchOnly = await completions(`start_time=${hourAgo()}&project_ids=${projectId}&batch=true`);
    expect(batchOnly.data.flatMap((b) => b.results)).toEqual([]);
  });

  it("lists every bucket of the page and pages with next_page", async () => {
    const start = Math.floor(Date.now() / 1000) - 300;
    const first = await completions(`start_time=${start}&bucket_width=1m&limit=2`);
    expect(first.data.map((b) => [b.start_time, b.end_time])).toEqual([
      [start, start + 60],
      [start + 60, start + 120],
    ]);
    expect(first).toMatchObject({ has_more: true, next_page: expect.any(String) });
    const second = await completions(`start_time=${start}&bucket_width=1m&limit=2&page=${first.next_page}`);
    expect(second.data[0]?.start_time).toBe(start + 120);
  });

  it.each([
    ["no start_time", "bucket_width=1d", "start_time"],
    ["a bucket width of 2h", "start_time=0&bucket_width=2h", "bucket_width"],
    ["group_by=user_id", "start_time=0&group_by[]=user_id", "group_by.0"],
    ["limit over the width's maximum", "start_time=0&bucket_width=1d&limit=32", "limit"],
    ["an end before the start", "start_time=100&end_time=50", "end_time"],
    ["a page of another query", "start_time=0&page=page_7", "page"],
    ["batch=maybe", "start_time=0&batch=maybe", "batch"],
  ])("answers 400 for %s", async (_label, query, param) => {
    expectApiError(await admin("GET", `/usage/completions?${query}`), 400, { param });
  });

  describeAdminAuthCases((key) => admin("GET", `/usage/completions?start_time=${hourAgo()}`, { key }));
});

describe("GET /v1/organization/usage/embeddings", () => {
  it("shows embeddings usage by model", async () => {
    const { id: projectId, key } = await createProjectWithKey();
    const res = await syncBatch<{ data: Array<[number, { usage: { prompt_tokens: number } }]> }>(
      "embeddings",
      { data: [[1, { model: EMBEDDING_MODEL, input: uniquePrompt("embed me") }]] },
      { key },
    );
    expect(res.status).toBe(200);
    const page = await admin(
      "GET",
      `/usage/embeddings?start_time=${hourAgo()}&project_ids[]=${projectId}&group_by[]=model`,
    );
    expect(EmbeddingsUsagePageSchema.parse(page.body).data.flatMap((b) => b.results)).toEqual([
      {
        object: "organization.usage.embeddings.result",
        input_tokens: res.body.data[0]?.[1].usage.prompt_tokens,
        num_model_requests: 1,
        model: EMBEDDING_MODEL,
        project_id: null,
        user_id: null,
        api_key_id: null,
      },
    ]);
  });

  it("answers 400 for group_by=batch", async () => {
    expectApiError(await admin("GET", "/usage/embeddings?start_time=0&group_by=batch"), 400, {
      param: "group_by.0",
    });
  });

  describeAdminAuthCases((key) => admin("GET", `/usage/embeddings?start_time=${hourAgo()}`, { key }));
});
