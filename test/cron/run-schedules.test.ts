import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runCron } from "../../src/cron/scheduled";
import { call } from "../helpers/api";
import { chatLine, fileLines, jsonl, waitForBatch } from "../helpers/batches";
import {
  createSchedule,
  getSchedule,
  nowSeconds,
  patchScheduleRow,
  scheduleBatches,
  testDeps,
} from "../helpers/schedules";

const URL_INPUT = "https://exports.example.com/nightly/requests.jsonl?token=secret";

function body(customIds: string[]): string {
  return jsonl(customIds.map((id) => chatLine(id, `hello ${id}`)));
}

/** A fetch that answers every request with `respond()`, recording the URLs it was asked for. */
function fakeFetch(respond: () => Response): typeof fetch & { urls: string[] } {
  const urls: string[] = [];
  const fn = async (input: RequestInfo | URL): Promise<Response> => {
    urls.push(String(input instanceof Request ? input.url : input));
    return respond();
  };
  return Object.assign(fn as typeof fetch, { urls });
}

/** A body that arrives in several pieces, as a large download does. */
function streamed(text: string, pieces = 3): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const size = Math.ceil(bytes.length / pieces);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

async function makeDue(id: string, dueAt: number = nowSeconds() - 1): Promise<void> {
  await patchScheduleRow(id, { next_run_at: dueAt });
}

describe("runDueSchedules: input URLs", { timeout: 40_000 }, () => {
  it("streams the URL into a new batch file at each run", async () => {
    const schedule = await createSchedule({ input_url: URL_INPUT });
    const fetch = fakeFetch(() => new Response(streamed(body(["a", "b", "c"]))));
    await runCron(testDeps(), { fetch });
    expect(fetch.urls).toEqual([URL_INPUT]);

    const [batch] = await scheduleBatches(schedule.id);
    const file = await call<{
      purpose: string;
      filename: string;
      bytes: number;
      expires_at: number;
      created_at: number;
    }>("GET", `/v1/files/${batch?.input_file_id}`);
    expect(file.body).toMatchObject({
      purpose: "batch",
      filename: "requests.jsonl",
      bytes: body(["a", "b", "c"]).length,
    });
    expect(file.body.expires_at - file.body.created_at).toBe(30 * 86400);
    const done = await waitForBatch(batch?.id ?? "");
    expect(done.status).toBe("completed");
    expect((await fileLines(done.output_file_id)).map((line) => line.custom_id)).toEqual(["a", "b", "c"]);

    await makeDue(schedule.id);
    await runCron(testDeps(), { fetch: fakeFetch(() => new Response(body(["d"]))) });
    const batches = await scheduleBatches(schedule.id);
    expect(batches).toHaveLength(2);
    expect(batches[0]?.input_file_id).not.toBe(batches[1]?.input_file_id);
  });

  it.each([
    ["an HTTP error", () => new Response("gone", { status: 503 }), "input_url_fetch_failed", /HTTP 503/],
    ["an empty body", () => new Response(""), "input_url_empty", /empty/],
    [
      "a redirect to plain http",
      () => new Response(null, { status: 302, headers: { location: "http://internal.example.com/x" } }),
      "input_url_not_allowed",
      /redirected/,
    ],
  ])(
    "records %s on the schedule, starts nothing, and tries again next run",
    async (_label, respond, code, message) => {
      const schedule = await createSchedule({ input_url: URL_INPUT });
      await runCron(testDeps(), { fetch: fakeFetch(respond) });
      expect(await scheduleBatches(schedule.id)).toEqual([]);
      const failed = await getSchedule(schedule.id);
      expect(failed.last_error).toMatchObject({ code, message: expect.stringMatching(message) });
      expect(failed.last_error?.message).not.toContain("secret");
      expect(failed.next_run_at).toBeGreaterThan(nowSeconds());

      await makeDue(schedule.id);
      await runCron(testDeps(), { fetch: fakeFetch(() => new Response(body(["ok"]))) });
      expect(await scheduleBatches(schedule.id)).toHaveLength(1);
      expect((await getSchedule(schedule.id)).last_error).toBeNull();
    },
  );

  it("records a connection failure without the URL", async () => {
    const schedule = await createSchedule({ input_url: URL_INPUT });
    const failing = (async () => {
      throw new TypeError(`fetch failed for ${URL_INPUT}`);
    }) as typeof fetch;
    await runCron(testDeps(), { fetch: failing });
    const failed = await getSchedule(schedule.id);
    expect(failed.last_error).toEqual({
      code: "input_url_fetch_failed",
      message: "Fetching the input URL failed: the connection failed.",
    });
  });

  it("stops a body over the upload limit and leaves no file behind", async () => {
    const schedule = await createSchedule({ input_url: URL_INPUT });
    const deps = testDeps({ uploadLimits: { batchBytes: 100, otherBytes: 100 } });
    const keys = async () => (await env.FILES_BUCKET.list({ prefix: "files/" })).objects.map((o) => o.key);
    const before = new Set(await keys());
    await runCron(deps, { fetch: fakeFetch(() => new Response(streamed(body(["a", "b", "c", "d"]), 4))) });
    expect((await getSchedule(schedule.id)).last_error?.code).toBe("input_url_too_large");
    // batches of earlier tests may finish meanwhile and write output files; nothing else may appear
    for (const key of (await keys()).filter((k) => !before.has(k))) {
      const row = await env.DB.prepare("SELECT purpose FROM files WHERE id = ?1")
        .bind(key.slice("files/".length))
        .first<{ purpose: string }>();
      expect(row?.purpose).toBe("batch_output");
    }
  });
});

describe("runDueSchedules: claims", { timeout: 40_000 }, () => {
  it("finishes a run whose invocation died after creating the batch, without a second batch", async () => {
    const schedule = await createSchedule({ input_url: URL_INPUT, next_run_at: 5_000 });
    await runCron(testDeps(), { fetch: fakeFetch(() => new Response(body(["a"]))) });
    const [batch] = await scheduleBatches(schedule.id);
    expect(batch).toBeDefined();
    // as if the invocation had died before recording its batch: run 1's claim is still there, 20 min old
    await patchScheduleRow(schedule.id, {
      run_count: 1,
      run_due_at: 5_000,
      claimed_at: nowSeconds() - 20 * 60,
      pending_file_id: batch?.input_file_id ?? null,
      last_batch_id: null,
    });
    const fetch = fakeFetch(() => new Response(body(["never"])));
    await runCron(testDeps(), { fetch });
    expect(fetch.urls).toEqual([]);
    expect((await scheduleBatches(schedule.id)).map((b) => b.id)).toEqual([batch?.id]);
    expect(await getSchedule(schedule.id)).toMatchObject({ last_batch_id: batch?.id, last_error: null });
  });

  it("starts a run whose invocation died before the batch existed", async () => {
    const schedule = await createSchedule({ next_run_at: 6_000 });
    await patchScheduleRow(schedule.id, {
      next_run_at: nowSeconds() + 3600,
      run_count: 1,
      run_due_at: 6_000,
      claimed_at: nowSeconds() - 20 * 60,
    });
    await runCron(testDeps(), {});
    const batches = await scheduleBatches(schedule.id);
    expect(batches).toHaveLength(1);
    expect((await getSchedule(schedule.id)).last_batch_id).toBe(batches[0]?.id);
  });

  it("leaves a fresh claim to the invocation that holds it", async () => {
    const schedule = await createSchedule();
    await patchScheduleRow(schedule.id, { run_due_at: schedule.next_run_at, claimed_at: nowSeconds() - 60 });
    await runCron(testDeps(), {});
    expect(await scheduleBatches(schedule.id)).toEqual([]);
  });

  it("lets one of two claims of the same run win", async () => {
    const schedule = await createSchedule({ next_run_at: 7_000 });
    const deps = testDeps();
    const claims = await Promise.all([
      deps.schedules.claimRun(schedule.id, 7_000, 8_000, nowSeconds()),
      deps.schedules.claimRun(schedule.id, 7_000, 8_000, nowSeconds()),
    ]);
    expect(claims.filter((run) => run !== null)).toEqual([1]);
    expect((await getSchedule(schedule.id)).next_run_at).toBe(8_000);
  });
});
