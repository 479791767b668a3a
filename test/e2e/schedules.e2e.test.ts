import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { toFile } from "openai";
import type { Batch } from "openai/resources/batches";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { localClient, origin } from "./helpers";

// A batch schedule against the local stack: the official SDK for files and batches, raw fetch for
// the schedules resource (the SDK has none), and wrangler dev's endpoint to fire the cron trigger.

const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";

type Schedule = { id: string; next_run_at: number | null; last_batch_id: string | null; last_error: unknown };

function jsonl(ids: string[]): string {
  const line = (id: string) =>
    JSON.stringify({
      custom_id: id,
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: MODEL, messages: [{ role: "user", content: `say ${id}` }], max_tokens: 16 },
    });
  return `${ids.map(line).join("\n")}\n`;
}

async function api<T>(method: string, path: string, json?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${origin()}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${inject("apiKey")}`, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function triggerCron(): Promise<void> {
  // /__scheduled (wrangler dev --test-scheduled): /cdn-cgi/handler/scheduled misses a Worker with assets
  const res = await fetch(`${origin()}/__scheduled?cron=*+*+*+*+*`);
  expect(res.status).toBe(200);
  await res.text();
}

/** Waits for the schedule's one batch, then for that batch to end; returns it. */
async function runOf(scheduleId: string): Promise<Batch> {
  let batches: Batch[] = [];
  await vi.waitUntil(
    async () => {
      batches = (await api<{ data: Batch[] }>("GET", `/batch_schedules/${scheduleId}/batches`)).body.data;
      return batches.length > 0;
    },
    { timeout: 30_000, interval: 200 },
  );
  expect(batches).toHaveLength(1);
  const client = localClient();
  let batch = batches[0] as Batch;
  await vi.waitUntil(
    async () => {
      batch = await client.batches.retrieve(batch.id);
      return ["completed", "failed", "expired", "cancelled"].includes(batch.status);
    },
    { timeout: 60_000, interval: 200 },
  );
  return batch;
}

async function outputIds(batch: Batch): Promise<string[]> {
  const text = await (await localClient().files.content(batch.output_file_id ?? "")).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { custom_id: string }).custom_id);
}

describe("batch schedules on the local stack", () => {
  let server: Server;
  let exportUrl = "";

  beforeAll(async () => {
    // the nightly export: a loopback http server, which the local stack may fetch
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/jsonl" });
      res.end(jsonl(["n1", "n2", "n3"]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    exportUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/exports/nightly.jsonl`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("starts one batch for a schedule due now when the cron fires, and it completes", async () => {
    const client = localClient();
    const file = await client.files.create({
      file: await toFile(Buffer.from(jsonl(["a", "b"])), "in.jsonl"),
      purpose: "batch",
    });
    const created = await api<Schedule>("POST", "/batch_schedules", {
      cron: "0 3 * * *",
      next_run_at: Math.floor(Date.now() / 1000),
      input_file_id: file.id,
      batch: { endpoint: "/v1/chat/completions", completion_window: "24h", metadata: { job: "e2e" } },
    });
    expect(created.status).toBe(200);

    await triggerCron();
    const batch = await runOf(created.body.id);
    expect(batch).toMatchObject({
      status: "completed",
      input_file_id: file.id,
      metadata: { job: "e2e", batch_schedule_id: created.body.id },
      request_counts: { total: 2, completed: 2, failed: 0 },
    });
    expect(await outputIds(batch)).toEqual(["a", "b"]);
    const schedule = await api<Schedule>("GET", `/batch_schedules/${created.body.id}`);
    expect(schedule.body).toMatchObject({ last_batch_id: batch.id, last_error: null });
    expect(schedule.body.next_run_at).toBeGreaterThan(Date.now() / 1000);

    // the run is done: firing the cron again starts nothing new for this schedule
    await triggerCron();
    const again = await api<{ data: Batch[] }>("GET", `/batch_schedules/${created.body.id}/batches`);
    expect(again.body.data.map((b) => b.id)).toEqual([batch.id]);
  });

  it("fetches an input URL into a new batch file when the cron fires", async () => {
    const created = await api<Schedule>("POST", "/batch_schedules", {
      cron: "0 3 * * *",
      next_run_at: 0,
      input_url: exportUrl,
      batch: { endpoint: "/v1/chat/completions", completion_window: "24h" },
    });
    expect(created.status).toBe(200);
    await triggerCron();
    const batch = await runOf(created.body.id);
    expect(batch.status).toBe("completed");
    expect(await outputIds(batch)).toEqual(["n1", "n2", "n3"]);
    const input = await localClient().files.retrieve(batch.input_file_id);
    expect(input).toMatchObject({ purpose: "batch", filename: "nightly.jsonl" });
  });
});
