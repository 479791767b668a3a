#!/usr/bin/env node
// `npm run bench:upload`: throughput and memory of getting a big file in, on the local stack.
//  1. POST /v1/files, one streamed request per size (BENCH_SIZES_MB, default "50,200"): the official
//     SDK with fs.createReadStream (chunked, file part first).
//  2. The Uploads API for a BENCH_UPLOAD_MB file (default 200): 64 MiB parts one at a time (what the
//     Python SDK's upload_file_chunked does), and 8 MiB parts four at a time (the run-batch CLI's
//     default), then that again with an md5 on `complete` (which reads every byte once more; without
//     it, completing writes only the manifest and the D1 rows).
// Time, MB/s and peak memory cover the upload (with `complete`); a full download of the file made
// (for uploads, read through its manifest of parts) is timed after, on its own.
// Each run gets a fresh local stack (a snapshot of the sources, fresh state, free port); the VmRSS
// of its workerd processes is sampled every 50 ms. Target: every peak within 1.3x of the 50 MB
// single-request upload's peak. BENCH_PURPOSE=user_data allows single uploads up to 512 MB.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI, { toFile } from "openai";
import { API_KEY, snapshotSources, startSampler, startStack, writeJsonl } from "./lib/local-stack.mjs";

const SIZES_MB = (process.env.BENCH_SIZES_MB ?? "50,200").split(",").filter(Boolean).map(Number);
const UPLOAD_MB = Number(process.env.BENCH_UPLOAD_MB ?? 200);
const PURPOSE = process.env.BENCH_PURPOSE ?? "batch";
const MIB = 1024 * 1024;
const PART_PLANS = [
  // without md5, completing is only the manifest and D1; with it, every byte is read once more
  { label: "uploads 64 MiB x1", partSize: 64 * MIB, concurrency: 1, md5: false },
  { label: "uploads 8 MiB x4", partSize: 8 * MIB, concurrency: 4, md5: false },
  { label: "+ md5 8 MiB x4", partSize: 8 * MIB, concurrency: 4, md5: true },
];

/**
 * Starts a fresh stack, warms it up, runs `upload(client)` under the RSS sampler, then (outside the
 * upload's figures) downloads the file it made and times that.
 */
async function measure(root, upload) {
  // `wrangler dev` restarts the Worker when what it watches changes (a dependency installed, say);
  // a run cut short that way is run again on a fresh stack
  for (let attempt = 1; ; attempt++) {
    try {
      return await measureOnce(root, upload);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes("restarted mid-request")) {
        throw err;
      }
      console.log(`  attempt ${attempt} was cut short by a wrangler dev restart; running it again`);
    }
  }
}

async function measureOnce(root, upload) {
  const stack = await startStack({ root });
  try {
    const client = new OpenAI({
      apiKey: API_KEY,
      baseURL: `${stack.origin}/v1`,
      maxRetries: 0,
      timeout: 900_000,
    });
    // a tiny upload first, so the baseline includes the loaded Worker and a warm R2 simulator
    const warm = path.join(os.tmpdir(), `warm-up-${process.pid}.jsonl`);
    fs.writeFileSync(warm, '{"custom_id":"w","method":"POST","url":"/v1/chat/completions","body":{}}\n');
    await client.files.create({ file: fs.createReadStream(warm), purpose: "batch" });
    const idle = startSampler(stack.pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const baselineKiB = idle.stop().lastKiB;
    const sampler = startSampler(stack.pid);
    const started = performance.now();
    let result;
    try {
      result = await upload(client);
    } finally {
      sampler.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const { peakKiB } = sampler.stop();
    const download = await time(() => md5OfDownload(client, result.fileId));
    if (result.md5 && download.value !== result.md5) {
      throw new Error(`downloaded md5 ${download.value}, expected ${result.md5}`);
    }
    return { seconds, baselineKiB, peakKiB, downloadSeconds: download.seconds, ...result };
  } finally {
    await stack.stop();
  }
}

async function md5OfDownload(client, fileId) {
  const hash = createHash("md5");
  const res = await client.files.content(fileId);
  for await (const chunk of res.body) {
    hash.update(chunk);
  }
  return hash.digest("hex");
}

const time = async (fn) => {
  const started = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - started) / 1000 };
};

async function md5Of(file) {
  const hash = createHash("md5");
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk);
  }
  return hash.digest("hex");
}

/** Parts of `partSize` read from disk and sent `concurrency` at a time; part ids in file order. */
async function sendParts(client, uploadId, file, size, { partSize, concurrency }) {
  const count = Math.ceil(size / partSize);
  const ids = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const start = index * partSize;
      const end = Math.min(size, start + partSize) - 1;
      const data = await toFile(fs.createReadStream(file, { start, end }), `part-${index}`);
      ids[index] = (await client.uploads.parts.create(uploadId, { data })).id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return ids;
}

async function viaUploads(client, file, bytes, plan, md5) {
  const upload = await client.uploads.create({
    bytes,
    filename: "bench.jsonl",
    mime_type: "text/jsonl",
    purpose: "batch",
  });
  const parts = await time(() => sendParts(client, upload.id, file, bytes, plan));
  const done = await time(() =>
    client.uploads.complete(upload.id, { part_ids: parts.value, ...(plan.md5 ? { md5 } : {}) }),
  );
  if (done.value.file?.bytes !== bytes) {
    throw new Error(`completed ${done.value.file?.bytes} bytes, expected ${bytes}`);
  }
  return { fileId: done.value.file.id, md5, partsSeconds: parts.seconds, completeSeconds: done.seconds };
}

async function viaFiles(client, file, bytes) {
  const uploaded = await client.files.create({ file: fs.createReadStream(file), purpose: PURPOSE });
  if (uploaded.bytes !== bytes) {
    throw new Error(`uploaded ${uploaded.bytes} bytes, expected ${bytes}`);
  }
  return { fileId: uploaded.id };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "batch-api-bench-"));
// `wrangler dev` restarts when src/ changes; a snapshot keeps others' edits from cutting a run short
const root = snapshotSources();
// wrangler.toml's [assets] needs dist/assets, made by `npm run build`; the benchmark requests no
// asset, so an empty folder does when the snapshot has none
fs.mkdirSync(path.join(root, "dist", "assets"), { recursive: true });
const results = [];
try {
  for (const megabytes of [...new Set([...SIZES_MB, UPLOAD_MB])].sort((a, b) => a - b)) {
    const file = path.join(dataDir, `bench-${megabytes}mb.jsonl`);
    const { bytes } = await writeJsonl(file, { megabytes });
    if (SIZES_MB.includes(megabytes)) {
      console.log(`POST /v1/files ${megabytes} MB ...`);
      results.push({
        label: "POST /v1/files",
        megabytes,
        bytes,
        ...(await measure(root, (c) => viaFiles(c, file, bytes))),
      });
    }
    if (megabytes === UPLOAD_MB) {
      const md5 = await md5Of(file);
      for (const plan of PART_PLANS) {
        console.log(`${plan.label}, ${megabytes} MB ...`);
        const result = await measure(root, (c) => viaUploads(c, file, bytes, plan, md5));
        results.push({ label: plan.label, megabytes, bytes, ...result });
      }
    }
    fs.rmSync(file);
  }
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(root, { recursive: true, force: true });
}

const mib = (kib) => (kib / 1024).toFixed(1);
const mbps = (bytes, s) => (bytes / 1e6 / s).toFixed(1);
console.log(
  "\nhow               size     time    MB/s   workerd RSS idle -> peak (delta)   complete   download",
);
for (const r of results) {
  const complete = r.completeSeconds === undefined ? "" : `${r.completeSeconds.toFixed(2)} s`;
  const memory = `${mib(r.baselineKiB)} -> ${mib(r.peakKiB)} MiB (+${mib(r.peakKiB - r.baselineKiB)})`;
  const head = `${r.label.padEnd(17)} ${String(r.megabytes).padStart(4)} MB ${r.seconds.toFixed(2).padStart(6)} s`;
  console.log(
    `${head} ${mbps(r.bytes, r.seconds).padStart(6)}   ${memory.padEnd(32)} ${complete.padStart(8)}   ${mbps(r.bytes, r.downloadSeconds)} MB/s`,
  );
}
const reference = results.find((r) => r.label === "POST /v1/files" && r.megabytes === Math.min(...SIZES_MB));
if (reference) {
  let ok = true;
  console.log(
    `\npeak memory against the ${reference.megabytes} MB POST /v1/files peak of ${mib(reference.peakKiB)} MiB (target <= 1.3, i.e. <= ${mib(1.3 * reference.peakKiB)} MiB):`,
  );
  for (const r of results.filter((x) => x !== reference)) {
    const ratio = r.peakKiB / reference.peakKiB;
    ok &&= ratio <= 1.3;
    const verdict = ratio <= 1.3 ? "OK" : "OVER";
    console.log(
      `  ${`${r.label} ${r.megabytes} MB`.padEnd(24)} ${mib(r.peakKiB).padStart(6)} MiB  ${ratio.toFixed(2)}  ${verdict}`,
    );
  }
  process.exitCode = ok ? 0 : 1;
}
