#!/usr/bin/env node
// Fair share of one Workers AI pool between two projects, on a local stack whose simulated account
// allows SIMULATOR_RPM_LIMIT (default 300) text-generation requests a minute:
//
// 1. Project A's 3,000-line chat batch runs; project B then submits a 10-line batch. Prints B's
//    time from create to `completed` (target under 15 s) beside what FIFO would have given it: an
//    estimate, A's backlog at that moment at A's measured rate.
// 2. B submits a 1,000-line batch while A's is still far from done: over a measurement window
//    (BENCH_FAIR_WINDOW_S, default 60 s; shortened from "as long as both have a backlog" to keep the
//    run to a few minutes), each project's share of the lines completed (target 50 % ± 5 %), the
//    pool's rate as a share of the limit (target ≥ 95 %: the limiter aims at 95 %), and the lines
//    that failed for rate limits (target 0).
//
// Lines run on the synchronous path (WORKERS_AI_ASYNC=off), the one the pool's limiter paces. Both
// batches are then cancelled. Projects are made through the Admin API. Exit code 1 if a
// target is missed. Knobs: BENCH_FAIR_RPM (300), BENCH_FAIR_A_LINES (3000), BENCH_FAIR_WINDOW_S
// (60), BENCH_SNAPSHOT=0 (run the checkout itself instead of a snapshot of src/).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { CHAT_MODEL, ROOT, snapshotSources, startStack } from "./lib/local-stack.mjs";

const env = process.env;
const RPM = Number(env.BENCH_FAIR_RPM ?? 300);
const A_LINES = Number(env.BENCH_FAIR_A_LINES ?? 3_000);
const B_SMALL = 10;
const B_LARGE = 1_000;
const WINDOW_S = Number(env.BENCH_FAIR_WINDOW_S ?? 60);
const ADMIN_KEY = "sk-admin-local-batch-api-key";
const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);

const log = (...args) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => Number((ms / 1000).toFixed(1));
const pct = (x) => `${(x * 100).toFixed(1)} %`;

function writeBatch(file, tag, lines) {
  const rows = Array.from({ length: lines }, (_, i) =>
    JSON.stringify({
      custom_id: `${tag}-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: CHAT_MODEL,
        messages: [{ role: "user", content: `Project ${tag}, item ${i}: say something short.` }],
        max_tokens: 32,
      },
    }),
  );
  fs.writeFileSync(file, `${rows.join("\n")}\n`);
}

/** A project made through the Admin API, and the SDK with its service account's key. */
async function newProject(origin, name) {
  const admin = new OpenAI({ adminAPIKey: ADMIN_KEY, apiKey: null, baseURL: `${origin}/v1`, maxRetries: 0 });
  const project = await admin.admin.organization.projects.create({ name });
  const account = await admin.admin.organization.projects.serviceAccounts.create(project.id, {
    name: `${name} bench`,
  });
  const client = new OpenAI({ apiKey: account.api_key.value, baseURL: `${origin}/v1`, timeout: 120_000 });
  return { id: project.id, client };
}

async function submit(client, file) {
  const input = await client.files.create({ file: fs.createReadStream(file), purpose: "batch" });
  const createdAt = performance.now();
  const batch = await client.batches.create({
    input_file_id: input.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
  return { batch, createdAt };
}

async function waitFor(client, id, predicate, intervalMs = 250, timeoutMs = 600_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (predicate(batch)) {
      return batch;
    }
    if (performance.now() > deadline) {
      throw new Error(`batch ${id} still ${batch.status} after ${timeoutMs / 1000} s`);
    }
    await sleep(intervalMs);
  }
}

const finished = (batch) => batch.request_counts.completed + batch.request_counts.failed;

/** Error lines that failed for a rate limit (429 / Workers AI 3040). */
async function rateLimitFailures(client, batch) {
  if (!batch.error_file_id) {
    return 0;
  }
  const text = await (await client.files.content(batch.error_file_id)).text();
  let count = 0;
  for (const line of text.split("\n").filter(Boolean)) {
    const row = JSON.parse(line);
    const code = String(row.response?.body?.error?.code ?? row.error?.code ?? "");
    if (row.response?.status_code === 429 || code === "3040" || code === "rate_limit_exceeded") {
      count++;
    }
  }
  return count;
}

async function run(origin, dir) {
  const debug = async (method, route) => {
    const res = await fetch(`${origin}/v1/_debug/${route}`, {
      method,
      headers: { authorization: "Bearer sk-local-batch-api-key" },
    });
    return res.json();
  };
  const a = await newProject(origin, "bench-fair-a");
  const b = await newProject(origin, "bench-fair-b");
  const files = {
    a: path.join(dir, "a.jsonl"),
    bSmall: path.join(dir, "b-small.jsonl"),
    bLarge: path.join(dir, "b-large.jsonl"),
  };
  writeBatch(files.a, "a", A_LINES);
  writeBatch(files.bSmall, "b-small", B_SMALL);
  writeBatch(files.bLarge, "b-large", B_LARGE);

  // 1. A's large batch holds the pool; B's small batch arrives
  log(`A: ${A_LINES} lines, pool limit ${RPM}/min`);
  const aRun = await submit(a.client, files.a);
  const aId = aRun.batch.id;
  await waitFor(a.client, aId, (batch) => batch.status === "in_progress");
  // let A reach its steady rate, then measure it over 15 s
  await waitFor(a.client, aId, (batch) => finished(batch) >= 20, 500);
  const rateFrom = { at: performance.now(), done: finished(await a.client.batches.retrieve(aId)) };
  await sleep(15_000);
  const aBefore = await a.client.batches.retrieve(aId);
  const rateTo = { at: performance.now(), done: finished(aBefore) };
  const aRatePerSecond = (rateTo.done - rateFrom.done) / ((rateTo.at - rateFrom.at) / 1000);
  const aBacklog = aBefore.request_counts.total - finished(aBefore);
  log(
    `A runs at ${(aRatePerSecond * 60).toFixed(0)}/min with ${aBacklog} lines left; B submits ${B_SMALL} lines`,
  );

  const small = await submit(b.client, files.bSmall);
  const smallDone = await waitFor(b.client, small.batch.id, (batch) => TERMINAL.has(batch.status), 100);
  const smallMs = performance.now() - small.createdAt;
  const fifoEstimateS = (aBacklog + B_SMALL) / aRatePerSecond;
  log(`B's ${B_SMALL}-line batch ${smallDone.status} in ${seconds(smallMs)} s`);

  // 2. both projects with a backlog of at least 1,000 lines
  const large = await submit(b.client, files.bLarge);
  const bId = large.batch.id;
  await waitFor(b.client, bId, (batch) => batch.status === "in_progress");
  await waitFor(b.client, bId, (batch) => finished(batch) >= 10, 250);
  await sleep(5_000);
  await debug("POST", "binding-metrics/reset");
  const start = {
    at: performance.now(),
    a: await a.client.batches.retrieve(aId),
    b: await b.client.batches.retrieve(bId),
  };
  log(
    `both backlogged (A ${start.a.request_counts.total - finished(start.a)}, B ${B_LARGE - finished(start.b)} left): measuring ${WINDOW_S} s`,
  );
  await sleep(WINDOW_S * 1000);
  const end = {
    at: performance.now(),
    a: await a.client.batches.retrieve(aId),
    b: await b.client.batches.retrieve(bId),
  };
  const { inference } = await debug("GET", "binding-metrics");
  const windowS = (end.at - start.at) / 1000;
  const aLines = finished(end.a) - finished(start.a);
  const bLines = finished(end.b) - finished(start.b);
  const aLeft = end.a.request_counts.total - finished(end.a);
  const bLeft = end.b.request_counts.total - finished(end.b);
  const completedPerMinute = ((aLines + bLines) * 60) / windowS;
  const servedPerMinute = inference ? (inference.ok * 60) / windowS : Number.NaN;

  // end both batches; count lines that failed for rate limits in what ran
  log("cancelling both batches");
  const ended = [];
  for (const [client, id] of [
    [a.client, aId],
    [b.client, bId],
  ]) {
    await client.batches.cancel(id);
    ended.push([client, await waitFor(client, id, (batch) => TERMINAL.has(batch.status), 500)]);
  }
  ended.push([b.client, smallDone]);
  let limited = 0;
  for (const [client, batch] of ended) {
    limited += await rateLimitFailures(client, batch);
  }

  const shareA = aLines / (aLines + bLines);
  return {
    poolLimitRpm: RPM,
    smallBatch: {
      lines: B_SMALL,
      status: smallDone.status,
      createToCompletedSeconds: seconds(smallMs),
      aBacklogAtSubmit: aBacklog,
      aMeasuredRatePerMinute: Number((aRatePerSecond * 60).toFixed(1)),
      fifoEstimateSeconds: Number(fifoEstimateS.toFixed(0)),
    },
    sharedWindow: {
      windowSeconds: Number(windowS.toFixed(1)),
      aLines,
      bLines,
      shareA: Number(shareA.toFixed(3)),
      shareB: Number((1 - shareA).toFixed(3)),
      aBacklogAtEnd: aLeft,
      bBacklogAtEnd: bLeft,
      completedPerMinute: Number(completedPerMinute.toFixed(1)),
      servedPerMinute: Number(servedPerMinute.toFixed(1)),
      // completed lines, not the binding-metrics call counter: under wrangler dev the queue
      // consumer's counters are not always the ones /v1/_debug reads
      shareOfLimit: Number((completedPerMinute / RPM).toFixed(3)),
      simulator3040s: inference?.rateLimited ?? null,
    },
    rateLimitFailures: limited,
  };
}

function report(r) {
  const s = r.smallBatch;
  const w = r.sharedWindow;
  const checks = [
    s.status === "completed" && s.createToCompletedSeconds < 15,
    Math.abs(w.shareA - 0.5) <= 0.05,
    w.shareOfLimit >= 0.95,
    r.rateLimitFailures === 0,
    w.aBacklogAtEnd > 0 && w.bBacklogAtEnd > 0,
  ];
  const mark = (ok) => (ok ? "ok" : "MISSED");
  console.log(`\nFair share of one pool (simulated limit ${r.poolLimitRpm} requests/min)\n`);
  console.log(
    `B's ${s.lines}-line batch behind A's backlog (${s.aBacklogAtSubmit} lines left, A at ${s.aMeasuredRatePerMinute}/min)`,
  );
  console.log(
    `  measured, create to completed:    ${s.createToCompletedSeconds} s   (target < 15 s: ${mark(checks[0])})`,
  );
  console.log(
    `  before (FIFO), ESTIMATE only:      ~${s.fifoEstimateSeconds} s   (A's backlog + B's lines at A's measured rate)`,
  );
  console.log(`\nBoth projects backlogged, ${w.windowSeconds} s window (shortened measurement period)`);
  console.log(
    `  A: ${w.aLines} lines (${pct(w.shareA)}), B: ${w.bLines} lines (${pct(w.shareB)})   (target 50 % ± 5 %: ${mark(checks[1])})`,
  );
  console.log(
    `  backlogs at the end of the window: A ${w.aBacklogAtEnd}, B ${w.bBacklogAtEnd}   (${mark(checks[4])})`,
  );
  console.log(
    `  pool: ${w.completedPerMinute} lines/min completed (${pct(w.shareOfLimit)} of the limit; target ≥ 95 %: ${mark(checks[2])}); debug call counter: ${w.servedPerMinute}/min`,
  );
  console.log(`  simulator 3040s (retried): ${w.simulator3040s}`);
  console.log(
    `Lines failed for rate limits (all three batches): ${r.rateLimitFailures}   (target 0: ${mark(checks[3])})`,
  );
  return checks.every(Boolean);
}

const useSnapshot = env.BENCH_SNAPSHOT !== "0";
const root = useSnapshot ? snapshotSources() : ROOT;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-fair-"));
let result;
try {
  const stack = await startStack({
    root,
    // every line through the pool's limiter (Workers AI's async queue has no per-minute pool)
    devArgs: [
      "--var",
      "BINDING_METRICS:on",
      "--var",
      `SIMULATOR_RPM_LIMIT:${RPM}`,
      "--var",
      "WORKERS_AI_ASYNC:off",
    ],
  });
  try {
    result = await run(stack.origin, dir);
  } finally {
    await stack.stop();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
  if (useSnapshot) {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
const ok = report(result);
const jsonPath = path.join(os.tmpdir(), `bench-fairness-${Date.now()}.json`);
fs.writeFileSync(jsonPath, JSON.stringify(result, null, 2));
console.log(`\nAll figures as JSON: ${jsonPath}`);
process.exitCode = ok ? 0 : 1;
