#!/usr/bin/env node
// Workers AI's async batch queue against the synchronous path, on the local stack (`npm run
// bench:async`; also part 3 of `npm run bench:batch`). One stack whose simulator allows
// BENCH_ASYNC_RPM (default 300) synchronous requests a minute and answers BENCH_ASYNC_CAPACITY
// (default 6,000) async lines a minute, the official `openai` SDK as the client:
//
// 1. BENCH_ASYNC_LINES (default 20,000) chat lines on gpt-oss-120b that fit its async item: the
//    time from create to `completed`, lines lost (output + error lines vs. the input), and whether
//    request_counts and `execution` are exact.
// 2. The synchronous path's rate, measured on BENCH_ASYNC_SYNC_SAMPLE (default 400) lines of the
//    same model that cannot go async (they set max_tokens), and the time the BENCH_ASYNC_LINES
//    would take at that rate (an estimate: waiting it out takes over an hour). Then the ratio.
// 3. BENCH_ASYNC_CACHE_LINES (default 1,000) async lines that share a 2,000-character system
//    prompt: the share of input tokens served from the prefix cache.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { API_KEY, ROOT, snapshotSources, startStack } from "./lib/local-stack.mjs";

const env = process.env;
const LINES = Number(env.BENCH_ASYNC_LINES ?? 20_000);
const SYNC_SAMPLE = Number(env.BENCH_ASYNC_SYNC_SAMPLE ?? 400);
const CACHE_LINES = Number(env.BENCH_ASYNC_CACHE_LINES ?? 1_000);
const RPM = Number(env.BENCH_ASYNC_RPM ?? 300);
const CAPACITY = Number(env.BENCH_ASYNC_CAPACITY ?? 6_000);
const MODEL = "@cf/openai/gpt-oss-120b";
const TERMINAL = ["completed", "failed", "expired", "cancelled"];
const SYSTEM = `You are the benchmark's assistant. ${"Answer in one short sentence and keep to the facts. ".repeat(40)}`;

const log = (...args) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const minutes = (ms) => `${(ms / 60_000).toFixed(1)} min`;

function line(i, { sync = false, system = false } = {}) {
  const messages = [{ role: "user", content: `Summarise item ${i} of the benchmark in one sentence.` }];
  if (system) {
    messages.unshift({ role: "system", content: SYSTEM });
  }
  // max_tokens is not in gpt-oss's async item: such a line runs on the synchronous path
  const body = sync ? { model: MODEL, messages, max_tokens: 64 } : { model: MODEL, messages };
  return `${JSON.stringify({ custom_id: `request-${i}`, method: "POST", url: "/v1/chat/completions", body })}\n`;
}

async function countLines(response) {
  const text = await response.text();
  return text.split("\n").filter((row) => row.length > 0);
}

/** Uploads `count` lines, runs them as one batch and returns the batch, its times and its files. */
async function runBatch(client, dir, label, count, options) {
  const file = path.join(dir, `${label}.jsonl`);
  fs.writeFileSync(file, Array.from({ length: count }, (_, i) => line(i, options)).join(""));
  const input = await client.files.create({ file: fs.createReadStream(file), purpose: "batch" });
  fs.rmSync(file);
  const t0 = performance.now();
  let batch = await client.batches.create({
    input_file_id: input.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
  let lastLog = t0;
  while (!TERMINAL.includes(batch.status)) {
    await sleep(1000);
    batch = await client.batches.retrieve(batch.id, { timeout: 30_000, maxRetries: 3 });
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      const done = batch.request_counts.completed + batch.request_counts.failed;
      log(`${label}: ${batch.status} ${done}/${count} after ${seconds(performance.now() - t0)}`);
    }
  }
  const ms = performance.now() - t0;
  const output = batch.output_file_id
    ? await countLines(await client.files.content(batch.output_file_id))
    : [];
  const errors = batch.error_file_id ? await countLines(await client.files.content(batch.error_file_id)) : [];
  return { batch, ms, output, errors };
}

export async function runAsyncBench(root = ROOT) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "batch-api-bench-async-"));
  const stack = await startStack({
    root,
    devArgs: ["--var", `SIMULATOR_RPM_LIMIT:${RPM}`, "--var", `SIMULATOR_ASYNC_CAPACITY:${CAPACITY}`],
  });
  try {
    const client = new OpenAI({
      apiKey: API_KEY,
      baseURL: `${stack.origin}/v1`,
      maxRetries: 2,
      timeout: 600_000,
    });
    log(`async: ${LINES} lines at ${CAPACITY} lines/min (about ${minutes((LINES / CAPACITY) * 60_000)})`);
    const asyncRun = await runBatch(client, dir, "async", LINES, {});
    log(`sync sample: ${SYNC_SAMPLE} lines at ${RPM} requests/min`);
    const syncRun = await runBatch(client, dir, "sync", SYNC_SAMPLE, { sync: true });
    log(`cache: ${CACHE_LINES} async lines sharing a ${SYSTEM.length}-character system prompt`);
    const cacheRun = await runBatch(client, dir, "cache", CACHE_LINES, { system: true });
    return { asyncRun, syncRun, cacheRun };
  } finally {
    await stack.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function reportAsyncBench({ asyncRun, syncRun, cacheRun }) {
  const lost = (run, count) => count - run.output.length - run.errors.length;
  const counts = (run) => JSON.stringify(run.batch.request_counts);
  const syncPerMinute = (SYNC_SAMPLE / syncRun.ms) * 60_000;
  const syncEstimateMs = (LINES / syncPerMinute) * 60_000;
  const usage = cacheRun.batch.usage;
  const cachedShare =
    usage.input_tokens > 0 ? usage.input_tokens_details.cached_tokens / usage.input_tokens : 0;
  const ratio = syncEstimateMs / asyncRun.ms;
  const out = [
    "",
    `Async batch queue vs. the synchronous path: ${LINES} chat lines on ${MODEL}; simulator sync limit ${RPM}/min, async capacity ${CAPACITY} lines/min`,
    `  async path:  ${asyncRun.batch.status} in ${seconds(asyncRun.ms)} (${minutes(asyncRun.ms)}), create to ${asyncRun.batch.status}; request_counts ${counts(asyncRun)}; execution ${JSON.stringify(asyncRun.batch.execution)}; lines lost ${lost(asyncRun, LINES)}`,
    `  sync path:   ${SYNC_SAMPLE} lines ${syncRun.batch.status} in ${seconds(syncRun.ms)} = ${syncPerMinute.toFixed(0)} lines/min; ${LINES} lines would take ${minutes(syncEstimateMs)} (estimate from that rate); lines lost ${lost(syncRun, SYNC_SAMPLE)}`,
    `  ratio:       the async path is ${ratio.toFixed(1)}x faster (target >= 10x)`,
    `  prefix cache: ${CACHE_LINES} async lines sharing a ${SYSTEM.length}-character system prompt: ${usage.input_tokens_details.cached_tokens} of ${usage.input_tokens} input tokens cached = ${(cachedShare * 100).toFixed(1)} %; request_counts ${counts(cacheRun)}`,
  ];
  console.log(out.join("\n"));
  const exact =
    asyncRun.batch.request_counts.completed === LINES &&
    lost(asyncRun, LINES) === 0 &&
    asyncRun.errors.length === 0;
  return ratio >= 10 && exact;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const useSnapshot = env.BENCH_SNAPSHOT !== "0";
  const root = useSnapshot ? snapshotSources() : ROOT;
  try {
    const ok = reportAsyncBench(await runAsyncBench(root));
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (useSnapshot) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
}
