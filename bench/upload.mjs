#!/usr/bin/env node
// `npm run bench:upload`: upload throughput and memory of POST /v1/files on the local stack.
// For each size (BENCH_SIZES_MB, default "50,200") it writes a JSONL file of valid batch lines,
// starts a fresh local stack (scripts/start-local.mjs, fresh PERSIST_TO, free port), uploads the
// file with the official SDK and fs.createReadStream (chunked, file part first), and samples the
// VmRSS of the stack's workerd processes every 50 ms. A streamed upload keeps memory flat: the
// 200 MB peak should stay within 1.3x of the 50 MB peak. BENCH_PURPOSE=user_data allows up to 512.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const API_KEY = "sk-local-batch-api-key";
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? "50,200").split(",").map(Number);
// `user_data` allows sizes past the 200 MB batch limit (up to 512 MB)
const PURPOSE = process.env.BENCH_PURPOSE ?? "batch";
const SAMPLE_MS = 50;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A JSONL file of valid chat-completion batch lines, as close to `megabytes` x 10^6 bytes as lines allow. */
async function writeJsonl(file, megabytes) {
  const target = megabytes * 1_000_000;
  const out = fs.createWriteStream(file);
  let bytes = 0;
  for (let i = 0; ; i++) {
    const line = `${JSON.stringify({
      custom_id: `request-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: "@cf/meta/llama-3.1-8b-instruct",
        messages: [{ role: "user", content: `Summarise item ${i} of the benchmark in one sentence.` }],
        max_tokens: 64,
      },
    })}\n`;
    if (bytes + line.length > target) {
      break;
    }
    bytes += line.length;
    if (!out.write(line)) {
      await new Promise((resolve) => out.once("drain", resolve));
    }
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  return bytes;
}

/** Pids of every descendant of `root` whose command is workerd (the runtime wrangler dev spawns). */
function workerdPids(root) {
  const children = new Map();
  const names = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // the command sits in parentheses and may itself contain spaces or parentheses
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      names.set(Number(entry), stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process exited while we looked
    }
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift();
    for (const child of children.get(pid) ?? []) {
      queue.push(child);
      if (names.get(child) === "workerd") {
        found.push(child);
      }
    }
  }
  return found;
}

function rssKiB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples the summed RSS of the stack's workerd processes until stopped. */
function startSampler(rootPid) {
  let pids = workerdPids(rootPid);
  let peak = 0;
  let last = 0;
  let ticks = 0;
  const perProcess = new Map();
  const timer = setInterval(() => {
    if (++ticks % 20 === 0) {
      pids = workerdPids(rootPid);
    }
    last = 0;
    for (const pid of pids) {
      const rss = rssKiB(pid);
      perProcess.set(pid, Math.max(perProcess.get(pid) ?? 0, rss));
      last += rss;
    }
    peak = Math.max(peak, last);
  }, SAMPLE_MS);
  return {
    get processes() {
      return pids.length;
    },
    stop() {
      clearInterval(timer);
      return { peakKiB: peak, lastKiB: last, perProcessKiB: [...perProcess.values()] };
    },
  };
}

async function startStack() {
  const port = await freePort();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "batch-api-bench-state-"));
  let output = "";
  const stack = spawn(process.execPath, [path.join(ROOT, "scripts", "start-local.mjs")], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), PERSIST_TO: stateDir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  stack.stdout.on("data", (chunk) => {
    output += chunk;
  });
  stack.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (stack.exitCode !== null) {
      throw new Error(`the local stack exited early:\n${output}`);
    }
    try {
      if ((await fetch(`${origin}/health`)).ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`the local stack did not start in 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const stop = async () => {
    if (stack.exitCode === null) {
      const exited = new Promise((resolve) => stack.once("exit", resolve));
      process.kill(-stack.pid, "SIGINT");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (stack.exitCode === null) {
        process.kill(-stack.pid, "SIGKILL");
      }
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
  };
  return { origin, pid: stack.pid, stop };
}

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
    const bytes = await writeJsonl(file, megabytes);
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
