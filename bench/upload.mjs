#!/usr/bin/env node
// `npm run bench:upload`: upload throughput and memory of POST /v1/files on the local stack.
// For each size (BENCH_SIZES_MB, default "50,200") it writes a JSONL file of valid batch lines,
// starts a fresh local stack (scripts/start-local.mjs, fresh PERSIST_TO, free port), uploads the
// file with the official SDK and fs.createReadStream (chunked, file part first), and samples the
// VmRSS of the stack's workerd processes every 50 ms. A streamed upload keeps memory flat: the
// 200 MB peak should stay within 1.3x of the 50 MB peak. BENCH_PURPOSE=user_data allows up to 512.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { API_KEY, startSampler, startStack, writeJsonl } from "./lib/local-stack.mjs";

const SIZES_MB = (process.env.BENCH_SIZES_MB ?? "50,200").split(",").map(Number);
// `user_data` allows sizes past the 200 MB batch limit (up to 512 MB)
const PURPOSE = process.env.BENCH_PURPOSE ?? "batch";

async function measure(file, bytes) {
  const stack = await startStack();
  try {
    const client = new OpenAI({
      apiKey: API_KEY,
      baseURL: `${stack.origin}/v1`,
      maxRetries: 0,
      timeout: 900_000,
    });
    // a tiny upload first, so the baseline includes the loaded Worker and a warm R2 simulator
    const warm = path.join(path.dirname(file), "warm-up.jsonl");
    fs.writeFileSync(warm, '{"custom_id":"w","method":"POST","url":"/v1/chat/completions","body":{}}\n');
    await client.files.create({ file: fs.createReadStream(warm), purpose: "batch" });
    const idle = startSampler(stack.pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const baseline = idle.stop().lastKiB;

    // `wrangler dev` reloads when anything under src/ changes; an interrupted attempt is retried
    for (let attempt = 1; ; attempt++) {
      const sampler = startSampler(stack.pid);
      const started = performance.now();
      try {
        const uploaded = await client.files.create({ file: fs.createReadStream(file), purpose: PURPOSE });
        const seconds = (performance.now() - started) / 1000;
        const processes = sampler.processes;
        const { peakKiB, perProcessKiB } = sampler.stop();
        if (uploaded.bytes !== bytes) {
          throw new Error(`uploaded ${uploaded.bytes} bytes, expected ${bytes}`);
        }
        return { seconds, baselineKiB: baseline, peakKiB, perProcessKiB, processes, attempts: attempt };
      } catch (err) {
        sampler.stop();
        if (attempt >= 3 || !String(err).includes("restarted mid-request")) {
          throw err;
        }
        console.log(`  attempt ${attempt} was cut short by a wrangler dev reload; retrying`);
      }
    }
  } finally {
    await stack.stop();
  }
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "batch-api-bench-"));
const results = [];
try {
  for (const megabytes of SIZES_MB) {
    const file = path.join(dataDir, `bench-${megabytes}mb.jsonl`);
    const { bytes } = await writeJsonl(file, { megabytes });
    console.log(`uploading ${megabytes} MB (${bytes} bytes) ...`);
    const result = await measure(file, bytes);
    results.push({ megabytes, bytes, ...result });
    fs.rmSync(file);
  }
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const mib = (kib) => (kib / 1024).toFixed(1);
console.log("\nsize     time     throughput   workerd RSS: idle -> peak (delta), peak per process");
for (const r of results) {
  console.log(
    `${String(r.megabytes).padStart(4)} MB ${r.seconds.toFixed(2).padStart(6)} s ${(r.bytes / 1e6 / r.seconds).toFixed(1).padStart(7)} MB/s   ${mib(r.baselineKiB)} -> ${mib(r.peakKiB)} MiB (+${mib(r.peakKiB - r.baselineKiB)}), ${r.perProcessKiB.map(mib).join(" + ")} MiB`,
  );
}
const small = results.find((r) => r.megabytes === Math.min(...SIZES_MB));
const large = results.find((r) => r.megabytes === Math.max(...SIZES_MB));
if (small && large && small !== large) {
  const ratio = large.peakKiB / small.peakKiB;
  console.log(
    `\npeak ratio ${large.megabytes} MB / ${small.megabytes} MB: ${ratio.toFixed(2)} (target <= 1.3) ${ratio <= 1.3 ? "OK" : "OVER"}`,
  );
  console.log(
    `delta ratio ${large.megabytes} MB / ${small.megabytes} MB: ${((large.peakKiB - large.baselineKiB) / (small.peakKiB - small.baselineKiB)).toFixed(2)}`,
  );
  process.exitCode = ratio <= 1.3 ? 0 : 1;
}
