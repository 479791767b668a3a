// Shared by the benchmarks (bench/*.mjs): a fresh local stack on a free port, JSONL generators and
// an RSS sampler for the stack's workerd processes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const API_KEY = "sk-local-batch-api-key";
export const CHAT_MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";
export { freePort, startStack } from "../../scripts/lib/local-stack.mjs";

/** One valid chat-completions batch line. */
export function chatLine(i) {
  return `${JSON.stringify({
    custom_id: `request-${i}`,
    method: "POST",
    url: "/v1/chat/completions",
    body: {
      model: CHAT_MODEL,
      messages: [{ role: "user", content: `Summarise item ${i} of the benchmark in one sentence.` }],
      max_tokens: 64,
    },
  })}\n`;
}

/**
 * Writes chat-completion batch lines to `file`: exactly `lines` of them, or as many as fit in
 * `megabytes` x 10^6 bytes. Returns the bytes and lines written.
 */
export async function writeJsonl(file, { megabytes, lines }) {
  const target = megabytes === undefined ? Number.POSITIVE_INFINITY : megabytes * 1_000_000;
  const count = lines ?? Number.POSITIVE_INFINITY;
  const out = fs.createWriteStream(file);
  let bytes = 0;
  let written = 0;
  for (let i = 0; i < count; i++) {
    const line = chatLine(i);
    if (bytes + line.length > target) {
      break;
    }
    bytes += line.length;
    written++;
    if (!out.write(line)) {
      await new Promise((resolve) => out.once("drain", resolve));
    }
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  return { bytes, lines: written };
}

/** Pids of every descendant of `root` whose command is workerd (the runtime wrangler dev spawns). */
export function workerdPids(root) {
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

export function rssKiB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, in clock ticks: 100 a second on Linux (`getconf CLK_TCK`)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Samples the summed RSS of the stack's workerd processes every `sampleMs` until stopped; `stop()`
 * also gives the CPU seconds they used meanwhile.
 */
export function startSampler(rootPid, sampleMs = 50) {
  let pids = workerdPids(rootPid);
  const cpuAtStart = new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
  let peak = 0;
  let last = 0;
  let ticks = 0;
  const perProcess = new Map();
  const timer = setInterval(() => {
    if (++ticks % 20 === 0) {
      pids = workerdPids(rootPid);
      for (const pid of pids) {
        if (!cpuAtStart.has(pid)) {
          cpuAtStart.set(pid, 0);
        }
      }
    }
    last = 0;
    for (const pid of pids) {
      const rss = rssKiB(pid);
      perProcess.set(pid, Math.max(perProcess.get(pid) ?? 0, rss));
      last += rss;
    }
    peak = Math.max(peak, last);
  }, sampleMs);
  return {
    get processes() {
      return pids.length;
    },
    stop() {
      clearInterval(timer);
      const cpu = [...cpuAtStart].reduce((sum, [pid, start]) => sum + cpuSeconds(pid) - start, 0);
      return { peakKiB: peak, lastKiB: last, perProcessKiB: [...perProcess.values()], cpuSeconds: cpu };
    },
  };
}

/**
 * A copy of what the stack runs (src, migrations, scripts, configs; node_modules linked) in a temp
 * folder. `wrangler dev` rebuilds and restarts the Worker whenever a file under src/ changes, which
 * would cut a long benchmark short (and reset its isolate) while others edit the tree.
 */
export function snapshotSources() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "batch-api-bench-src-"));
  for (const entry of [
    "src",
    "migrations",
    "scripts",
    "wrangler.toml",
    ".dev.vars.example",
    "package.json",
    "tsconfig.json",
    // the dashboard's built assets (wrangler.toml [assets]); `npm run build` makes them
    "dist",
  ]) {
    if (!fs.existsSync(path.join(ROOT, entry))) {
      continue;
    }
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}
