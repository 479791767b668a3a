#!/usr/bin/env node
// Two batches on two different text-generation models at once, against a simulator whose
// account-wide text-generation limit is RPM requests per minute (Workers AI limits per account and
// task type, not per model). Reports the share of the limit the two reach together and the lines
// that failed for rate limits. `node bench/shared-pool.mjs [linesPerBatch=300] [rpm=300]`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { API_KEY, startStack } from "./lib/local-stack.mjs";

const MODELS = ["@cf/meta/llama-3.1-8b-instruct-fast", "@cf/meta/llama-3.3-70b-instruct-fp8-fast"];
const linesPerBatch = Number(process.argv[2] ?? 300);
const rpm = Number(process.argv[3] ?? 300);
const log = (...args) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function writeBatch(file, model) {
  const lines = Array.from({ length: linesPerBatch }, (_, i) =>
    JSON.stringify({
      custom_id: `${model}-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: { model, messages: [{ role: "user", content: `Item ${i} for ${model}` }], max_tokens: 32 },
    }),
  );
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
}

async function runBatch(client, file) {
  const input = await client.files.create({ file: fs.createReadStream(file), purpose: "batch" });
  let batch = await client.batches.create({
    input_file_id: input.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
  while (!["completed", "failed", "expired", "cancelled"].includes(batch.status)) {
    await sleep(2_000);
    batch = await client.batches.retrieve(batch.id);
  }
  let rateLimitFailures = 0;
  if (batch.error_file_id) {
    const text = await (await client.files.content(batch.error_file_id)).text();
    for (const line of text.split("\n").filter(Boolean)) {
      const row = JSON.parse(line);
      const code = String(row.response?.body?.error?.code ?? row.error?.code ?? "");
      if (row.response?.status_code === 429 || code === "3040" || code === "rate_limit_exceeded") {
        rateLimitFailures++;
      }
    }
  }
  return { status: batch.status, counts: batch.request_counts, rateLimitFailures };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-pool-"));
const stack = await startStack({
  devArgs: ["--var", "BINDING_METRICS:on", "--var", `SIMULATOR_RPM_LIMIT:${rpm}`],
});
try {
  const client = new OpenAI({ apiKey: API_KEY, baseURL: `${stack.origin}/v1`, timeout: 900_000 });
  const debug = async (method, route) => {
    const res = await fetch(`${stack.origin}/v1/_debug/${route}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    return res.json();
  };
  await debug("POST", "binding-metrics/reset");
  const files = MODELS.map((model, i) => {
    const file = path.join(dir, `batch-${i}.jsonl`);
    writeBatch(file, model);
    return file;
  });
  log(`${MODELS.length} x ${linesPerBatch} lines on ${MODELS.join(" + ")}, pool limit ${rpm}/min`);
  const started = performance.now();
  const runs = await Promise.all(files.map((file) => runBatch(client, file)));
  const ms = performance.now() - started;
  const { inference } = await debug("GET", "binding-metrics");
  const windowMs = inference.lastOkAt - inference.firstOkAt;
  const servedPerMinute = windowMs > 0 ? ((inference.ok - 1) * 60_000) / windowMs : Number.NaN;
  const result = {
    models: MODELS,
    linesPerBatch,
    poolLimitRpm: rpm,
    batches: runs,
    served: inference.ok,
    simulator3040s: inference.rateLimited,
    activeWindowSeconds: windowMs / 1000,
    servedPerMinute: Number(servedPerMinute.toFixed(1)),
    shareOfLimit: Number((servedPerMinute / rpm).toFixed(3)),
    rateLimitFailures: runs.reduce((sum, run) => sum + run.rateLimitFailures, 0),
    wallSeconds: Number((ms / 1000).toFixed(1)),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await stack.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
