#!/usr/bin/env node
// `npm run bench:batch`: end-to-end batch throughput on the local stack, what each line costs in
// binding operations, and whether a rate-limited model is used near its limit.
//
// 1. For each size in BENCH_LINES (default "10000,50000"): a fresh stack with
//    `--var BINDING_METRICS:on`; the official `openai` SDK uploads a JSONL of chat-completion
//    lines, creates the batch, polls `retrieve` until it ends and downloads the output. Prints the
//    total time, lines/s, the peak RSS of the stack's workerd processes, and per 1,000 lines the
//    queue messages, R2 operations, D1 reads and writes and Durable Object calls, counted inside
//    the Worker (src/app/binding-metrics.ts). Then the same lines go "straight to the simulator":
//    POST /v1/_debug/direct-run runs them in the same Worker isolate through the same provider and
//    simulator code with no queue, R2, D1 or Durable Object, as many at once as the pipeline had
//    in flight at its peak (or BENCH_DIRECT_CONCURRENCY), and the ratio of the two times is printed.
// 2. BENCH_RATE_LINES (default 600) lines on a stack whose simulator allows BENCH_RATE_RPM (default
//    300) requests a minute: the rate the simulator served, as a share of that limit, over the
//    window from its first to its last served request, and the lines that failed for rate limits
//    (target: >= 90 % of the limit, 0 failed). This run takes about two minutes by design.
// 3. Workers AI's async batch queue against the synchronous path (bench/async-queue.mjs, also
//    `npm run bench:async`): BENCH_ASYNC_LINES (default 20,000) lines; BENCH_ASYNC_LINES=0 skips it.
//
// The stack runs from a snapshot of the tree (BENCH_SNAPSHOT=0 runs the checkout itself, BENCH_ROOT=dir
// another copy of the project), so edits made during a run do not restart the Worker. BENCH_LINES= (empty) or BENCH_RATE_LINES=0 skip a
// part. The full figures are also written as JSON (path printed at the end).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { reportAsyncBench, runAsyncBench } from "./async-queue.mjs";
import { API_KEY, ROOT, snapshotSources, startSampler, startStack, writeJsonl } from "./lib/local-stack.mjs";

const env = process.env;
const SIZES = (env.BENCH_LINES ?? "10000,50000").split(",").filter(Boolean).map(Number);
const RATE_LINES = Number(env.BENCH_RATE_LINES ?? 600);
const RATE_RPM = Number(env.BENCH_RATE_RPM ?? 300);
const POLL_MS = Number(env.BENCH_POLL_MS ?? 1000);
const POLL_TIMEOUT_MS = 30_000;
const TIMEOUT_MS = Number(env.BENCH_TIMEOUT_MIN ?? 45) * 60_000;
const DIRECT_CONCURRENCY = env.BENCH_DIRECT_CONCURRENCY ? Number(env.BENCH_DIRECT_CONCURRENCY) : null;
const TERMINAL = ["completed", "failed", "expired", "cancelled"];
const METRICS_ON = ["--var", "BINDING_METRICS:on"];

const log = (...args) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "-");
const mib = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
const per1k = (count, lines) => (count * 1000) / lines;
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

function debugClient(origin) {
  return async (method, route, body) => {
    const res = await fetch(`${origin}/v1/_debug/${route}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}` },
      body,
    });
    const json = await res.json();
    if (!res.ok) {
      throw new Error(`${method} /v1/_debug/${route}: ${res.status} ${JSON.stringify(json)}`);
    }
    return json;
  };
}

/** Counter differences `a - b`, recursively, for the numeric leaves both have. */
function minus(a, b, times = 1) {
  if (typeof a === "number") {
    return a - (typeof b === "number" ? b : 0) * times;
  }
  if (a === null || typeof a !== "object") {
    return a;
  }
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, minus(v, b?.[k], times)]));
}

/** What one status poll (`retrieve`) costs in binding operations, to take the client's polls out. */
async function pollCost(client, debug, batchId) {
  await debug("POST", "binding-metrics/reset");
  const idle = await debug("GET", "binding-metrics");
  await debug("POST", "binding-metrics/reset");
  await client.batches.retrieve(batchId);
  const polled = await debug("GET", "binding-metrics");
  return minus(polled, idle);
}

/** Counts output lines without holding the file. */
async function countLines(response, onLine) {
  const decoder = new TextDecoder();
  let rest = "";
  let lines = 0;
  for await (const chunk of response.body) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = parts.pop() ?? "";
    for (const part of parts) {
      if (part.trim()) {
        lines++;
        onLine?.(part);
      }
    }
  }
  if (rest.trim()) {
    lines++;
    onLine?.(rest);
  }
  return lines;
}

/** Upload → create → poll until terminal → download, timing each phase. */
async function runBatch(client, file, lines, label) {
  const t0 = performance.now();
  const input = await client.files.create({ file: fs.createReadStream(file), purpose: "batch" });
  const tUploaded = performance.now();
  let batch = await client.batches.create({
    input_file_id: input.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
  const phases = {};
  let status = batch.status;
  phases[status] = performance.now();
  let polls = 0;
  let slowestPollMs = 0;
  let lastLog = performance.now();
  while (!TERMINAL.includes(batch.status)) {
    if (performance.now() - t0 > TIMEOUT_MS) {
      log(`${label}: no end after ${seconds(TIMEOUT_MS)}; cancelling`);
      await client.batches.cancel(batch.id);
    }
    await sleep(POLL_MS);
    const tPoll = performance.now();
    // a short timeout per poll: a status request that gets lost is retried by the SDK instead of
    // waiting for undici's 300 s header timeout (seen a few times while a 50,000-line batch finalized)
    batch = await client.batches.retrieve(batch.id, { timeout: POLL_TIMEOUT_MS, maxRetries: 3 });
    const pollMs = performance.now() - tPoll;
    slowestPollMs = Math.max(slowestPollMs, pollMs);
    if (pollMs > POLL_TIMEOUT_MS) {
      log(`${label}: a status poll took ${seconds(pollMs)} (timed out and retried)`);
    }
    polls++;
    if (batch.status !== status) {
      status = batch.status;
      phases[status] = performance.now();
    }
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      const done = batch.request_counts.completed + batch.request_counts.failed;
      log(`${label}: ${batch.status} ${done}/${lines} after ${seconds(performance.now() - t0)}`);
    }
  }
  const tDone = performance.now();
  let outputLines = 0;
  let rateLimitFailures = 0;
  if (batch.output_file_id) {
    outputLines = await countLines(await client.files.content(batch.output_file_id));
  }
  let errorLines = 0;
  if (batch.error_file_id) {
    errorLines = await countLines(await client.files.content(batch.error_file_id), (line) => {
      const row = JSON.parse(line);
      const code = String(row.response?.body?.error?.code ?? row.error?.code ?? "");
      if (row.response?.status_code === 429 || code === "3040" || code === "rate_limit_exceeded") {
        rateLimitFailures++;
      }
    });
  }
  const tEnd = performance.now();
  const at = (s) => (phases[s] === undefined ? null : phases[s] - t0);
  // the server's own timestamps (whole seconds) also cover phases shorter than a poll
  const span = (from, to) => (batch[from] && batch[to] ? (batch[to] - batch[from]) * 1000 : null);
  return {
    serverMs: {
      validating: span("created_at", "in_progress_at"),
      running: span("in_progress_at", "finalizing_at"),
      finalizing: span("finalizing_at", "completed_at"),
    },
    batch,
    polls,
    slowestPollMs,
    outputLines,
    errorLines,
    rateLimitFailures,
    ms: {
      total: tEnd - t0,
      upload: tUploaded - t0,
      createdToTerminal: tDone - tUploaded,
      download: tEnd - tDone,
      inProgressAt: at("in_progress"),
      finalizingAt: at("finalizing"),
      terminalAt: tDone - t0,
    },
  };
}

async function withStack(devArgs, root, fn) {
  const stack = await startStack({ devArgs, root });
  try {
    return await fn(stack);
  } finally {
    if (env.BENCH_STACK_LOG) {
      // the tail of `wrangler dev`'s output, for when a run misbehaves
      fs.appendFileSync(env.BENCH_STACK_LOG, `\n==== ${devArgs.join(" ")}\n${stack.output()}`);
    }
    await stack.stop();
  }
}

function summarize(metrics, lines) {
  const dos = metrics.durableObjects.byMethod;
  const sumOf = (prefix) =>
    Object.entries(dos)
      .filter(([k]) => k.startsWith(prefix))
      .reduce((a, [, v]) => a + v, 0);
  return {
    queueMessages: per1k(metrics.queue.messages, lines),
    queueSends: per1k(metrics.queue.sendCalls, lines),
    r2Ops: per1k(metrics.r2.total, lines),
    r2ClassA: per1k(metrics.r2.classA, lines),
    r2ClassB: per1k(metrics.r2.classB, lines),
    d1Writes: per1k(metrics.d1.writes, lines),
    d1Reads: per1k(metrics.d1.reads, lines),
    doCalls: per1k(metrics.durableObjects.calls, lines),
    coordinatorCalls: per1k(sumOf("BATCH_COORDINATOR."), lines),
    limiterCalls: per1k(sumOf("MODEL_RATE_LIMITER."), lines),
  };
}

async function throughput(lines, root, dataDir) {
  const file = path.join(dataDir, `bench-${lines}.jsonl`);
  const { bytes } = await writeJsonl(file, { lines });
  log(`${lines} lines (${(bytes / 1e6).toFixed(1)} MB): starting a fresh stack`);
  return withStack(METRICS_ON, root, async (stack) => {
    const client = new OpenAI({
      apiKey: API_KEY,
      baseURL: `${stack.origin}/v1`,
      maxRetries: 2,
      timeout: 900_000,
    });
    const debug = debugClient(stack.origin);
    await client.models.list();
    const idle = startSampler(stack.pid);
    await sleep(1000);
    const baselineKiB = idle.stop().lastKiB;

    const before = await debug("POST", "binding-metrics/reset");
    const sampler = startSampler(stack.pid);
    const run = await runBatch(client, file, lines, `${lines} lines`);
    const memory = sampler.stop();
    const raw = await debug("GET", "binding-metrics");
    if (raw.isolate.id !== before.isolate.id) {
      log("WARNING: the Worker isolate restarted during the run; the counters cover only part of it");
    }
    // run_chunk messages are only sent by the coordinator Durable Object and recordLines is only
    // called by the queue consumer: seeing both through the fetch handler means one isolate
    const oneIsolate =
      (raw.queue.byKind.run_chunk ?? 0) > 0 &&
      (raw.durableObjects.byMethod["BATCH_COORDINATOR.recordLines"] ?? 0) > 0;
    if (!oneIsolate) {
      log("WARNING: the counters missed the coordinator's or the consumer's operations (another isolate?)");
    }
    const perPoll = await pollCost(client, debug, run.batch.id);
    const pipeline = minus(raw, perPoll, run.polls);
    log(
      `${lines} lines: ${run.batch.status} in ${seconds(run.ms.total)}; straight to the simulator next (concurrency ${DIRECT_CONCURRENCY ?? raw.lines.maxInFlight})`,
    );

    const concurrency = DIRECT_CONCURRENCY ?? Math.max(1, raw.lines.maxInFlight);
    await debug("POST", "binding-metrics/reset");
    const directSampler = startSampler(stack.pid);
    const tDirect = performance.now();
    const direct = await debug(
      "POST",
      `direct-run?concurrency=${concurrency}&endpoint=${encodeURIComponent("/v1/chat/completions")}`,
      fs.readFileSync(file),
    );
    const directMs = performance.now() - tDirect;
    const directMemory = directSampler.stop();
    const directMetrics = await debug("GET", "binding-metrics");
    fs.rmSync(file);
    return {
      lines,
      bytes,
      status: run.batch.status,
      requestCounts: run.batch.request_counts,
      outputLines: run.outputLines,
      errorLines: run.errorLines,
      oneIsolate,
      polls: run.polls,
      slowestPollMs: run.slowestPollMs,
      ms: run.ms,
      serverMs: run.serverMs,
      memory: { baselineKiB, peakKiB: memory.peakKiB, perProcessKiB: memory.perProcessKiB },
      workerdCpuSeconds: memory.cpuSeconds,
      metricsRaw: raw,
      metricsPerPoll: perPoll,
      metricsPipeline: pipeline,
      per1k: summarize(pipeline, lines),
      linesInFlight: { max: raw.lines.maxInFlight, mean: raw.lines.meanInFlight },
      direct: {
        concurrency,
        ms: directMs,
        serverMs: direct.elapsedMs,
        succeeded: direct.succeeded,
        failed: direct.failed,
        peakKiB: directMemory.peakKiB,
        workerdCpuSeconds: directMemory.cpuSeconds,
        linesInFlight: { max: directMetrics.lines.maxInFlight, mean: directMetrics.lines.meanInFlight },
        bindingOps:
          directMetrics.r2.total +
          directMetrics.queue.messages +
          directMetrics.d1.reads +
          directMetrics.d1.writes +
          directMetrics.durableObjects.calls,
      },
    };
  });
}

async function rateLimited(lines, rpm, root, dataDir) {
  const file = path.join(dataDir, `bench-rate-${lines}.jsonl`);
  await writeJsonl(file, { lines });
  log(
    `${lines} lines against a ${rpm} requests/minute simulator (about ${fmt((lines / rpm / 0.95) * 60, 0)} s)`,
  );
  return withStack([...METRICS_ON, "--var", `SIMULATOR_RPM_LIMIT:${rpm}`], root, async (stack) => {
    const client = new OpenAI({
      apiKey: API_KEY,
      baseURL: `${stack.origin}/v1`,
      maxRetries: 2,
      timeout: 900_000,
    });
    const debug = debugClient(stack.origin);
    await debug("POST", "binding-metrics/reset");
    const run = await runBatch(client, file, lines, `${lines} lines @ ${rpm} rpm`);
    const m = await debug("GET", "binding-metrics");
    fs.rmSync(file);
    const inf = m.inference;
    const windowMs = inf.lastOkAt - inf.firstOkAt;
    const servedPerMinute = windowMs > 0 ? ((inf.ok - 1) * 60_000) / windowMs : Number.NaN;
    return {
      lines,
      rpm,
      status: run.batch.status,
      requestCounts: run.batch.request_counts,
      ms: run.ms,
      served: inf.ok,
      simulator429s: inf.rateLimited,
      otherModelErrors: inf.failed,
      activeWindowMs: windowMs,
      servedPerMinute,
      shareOfLimit: servedPerMinute / rpm,
      rateLimitFailures: run.rateLimitFailures,
      failedLines: run.batch.request_counts.failed,
      limiterCalls: Object.entries(m.durableObjects.byMethod)
        .filter(([k]) => k.startsWith("MODEL_RATE_LIMITER."))
        .reduce((a, [, v]) => a + v, 0),
    };
  });
}

function printReport(results, rate) {
  const out = [];
  const cpu = os.cpus().length;
  out.push("");
  out.push(
    `Batch benchmark: local stack (wrangler dev, simulator latency 0 ms), ${cpu} CPU cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}. Other work on the machine makes the figures noisy.`,
  );
  if (results.length > 0) {
    out.push("");
    out.push("Pipeline (upload -> create -> poll until terminal -> download), openai SDK:");
    out.push(
      "   lines  status      total      lines/s  upload  create->terminal  download  workerd CPU  peak RSS (idle -> peak)",
    );
    for (const r of results) {
      out.push(
        `${String(r.lines).padStart(8)}  ${r.status.padEnd(10)}${seconds(r.ms.total).padStart(9)}  ${fmt(r.lines / (r.ms.total / 1000), 0).padStart(9)}  ${seconds(r.ms.upload).padStart(6)}  ${seconds(r.ms.createdToTerminal).padStart(16)}  ${seconds(r.ms.download).padStart(8)}  ${seconds(r.workerdCpuSeconds * 1000).padStart(11)}  ${mib(r.memory.baselineKiB)} -> ${mib(r.memory.peakKiB)}`,
      );
    }
    out.push("");
    out.push(
      "Per 1,000 lines (counted in the Worker; the client's status polls are taken out, see 'polls'):",
    );
    out.push(
      "   lines  queue msgs  R2 ops (class A / B)   D1 writes  D1 reads  DO calls (coordinator / limiter)  polls",
    );
    for (const r of results) {
      const p = r.per1k;
      out.push(
        `${String(r.lines).padStart(8)}  ${fmt(p.queueMessages).padStart(10)}  ${fmt(p.r2Ops).padStart(7)} (${fmt(p.r2ClassA)} / ${fmt(p.r2ClassB)})`.padEnd(
          42,
        ) +
          `${fmt(p.d1Writes).padStart(9)}  ${fmt(p.d1Reads).padStart(8)}  ${fmt(p.doCalls).padStart(8)} (${fmt(p.coordinatorCalls)} / ${fmt(p.limiterCalls)})`.padEnd(
            45,
          ) +
          String(r.polls).padStart(5),
      );
    }
    out.push("");
    out.push(
      "Straight to the simulator: the same lines in the same Worker isolate through the same provider and",
    );
    out.push(
      "simulator code (POST /v1/_debug/direct-run), no queue/R2/D1/DO and no rate limiter, N lines at once",
    );
    out.push("(N = the most lines the pipeline had between permit request and model answer):");
    out.push(
      "   lines  concurrency  direct time  lines/s   pipeline/direct  pipeline lines in flight (mean / max)",
    );
    for (const r of results) {
      out.push(
        `${String(r.lines).padStart(8)}  ${String(r.direct.concurrency).padStart(11)}  ${seconds(r.direct.ms).padStart(11)}  ${fmt(r.lines / (r.direct.ms / 1000), 0).padStart(7)}  ${`${fmt(r.ms.total / r.direct.ms)}x`.padStart(15)}  ${fmt(r.linesInFlight.mean)} / ${r.linesInFlight.max}`,
      );
    }
    for (const r of results) {
      out.push("");
      out.push(`Details, ${r.lines} lines:`);
      out.push(
        `  request_counts ${JSON.stringify(r.requestCounts)}; output lines ${r.outputLines}, error lines ${r.errorLines}`,
      );
      out.push(
        `  server phases (whole seconds): validating ${seconds(r.serverMs.validating)}, in_progress ${seconds(r.serverMs.running)}, finalizing ${seconds(r.serverMs.finalizing)}`,
      );
      out.push(
        `  counters saw the coordinator's sends and the consumer's calls (one isolate): ${r.oneIsolate ? "yes" : "NO"}`,
      );
      out.push(`  R2 ops: ${JSON.stringify(r.metricsPipeline.r2.ops)}`);
      out.push(`  queue: ${JSON.stringify(r.metricsPipeline.queue)}`);
      out.push(`  D1: ${JSON.stringify(r.metricsPipeline.d1)}`);
      out.push(`  DO calls: ${JSON.stringify(r.metricsPipeline.durableObjects.byMethod)}`);
      out.push(
        `  one status poll costs: ${JSON.stringify(compactCost(r.metricsPerPoll))}; slowest poll ${seconds(r.slowestPollMs)}`,
      );
      out.push(
        `  model calls ${r.metricsRaw.inference.calls} (ok ${r.metricsRaw.inference.ok}, 429 ${r.metricsRaw.inference.rateLimited}); direct run: ${r.direct.succeeded} ok, ${r.direct.failed} failed, ${r.direct.bindingOps} binding ops, server time ${seconds(r.direct.serverMs)}, peak RSS ${mib(r.direct.peakKiB)}`,
      );
    }
  }
  if (rate) {
    out.push("");
    out.push(`Rate-limited run: ${rate.lines} lines, simulator limit ${rate.rpm} requests/minute:`);
    out.push(
      `  status ${rate.status} in ${seconds(rate.ms.total)}; simulator served ${rate.served} requests over ${seconds(rate.activeWindowMs)} (first to last served)`,
    );
    out.push(
      `  achieved ${fmt(rate.servedPerMinute)} requests/minute = ${fmt(rate.shareOfLimit * 100)} % of the limit (target >= 90 %)`,
    );
    out.push(
      `  lines failed for rate limits: ${rate.rateLimitFailures} (target 0); failed lines in all: ${rate.failedLines}; simulator 429s (retried): ${rate.simulator429s}; limiter RPCs: ${rate.limiterCalls}`,
    );
  }
  console.log(out.join("\n"));
}

function compactCost(cost) {
  return {
    d1Reads: cost.d1.reads,
    d1Writes: cost.d1.writes,
    r2: cost.r2.total,
    doCalls: cost.durableObjects.calls,
    queue: cost.queue.messages,
  };
}

// BENCH_ROOT: run another copy of the project (e.g. one with tuned constants) as it is
const useSnapshot = !env.BENCH_ROOT && env.BENCH_SNAPSHOT !== "0";
const root = env.BENCH_ROOT ? path.resolve(env.BENCH_ROOT) : useSnapshot ? snapshotSources() : ROOT;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "batch-api-bench-batch-"));
const results = [];
let rate = null;
let asyncQueue = null;
try {
  for (const lines of SIZES) {
    results.push(await throughput(lines, root, dataDir));
  }
  if (RATE_LINES > 0) {
    rate = await rateLimited(RATE_LINES, RATE_RPM, root, dataDir);
  }
  if (env.BENCH_ASYNC_LINES !== "0") {
    asyncQueue = await runAsyncBench(root);
  }
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (useSnapshot) {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
printReport(results, rate);
const asyncOk = asyncQueue ? reportAsyncBench(asyncQueue) : true;
const jsonPath = path.join(os.tmpdir(), `bench-batch-${Date.now()}.json`);
fs.writeFileSync(jsonPath, JSON.stringify({ results, rate }, null, 2));
console.log(`\nAll figures as JSON: ${jsonPath}`);
const rateOk = rate ? rate.shareOfLimit >= 0.9 && rate.rateLimitFailures === 0 : true;
process.exitCode = rateOk && asyncOk ? 0 : 1;
