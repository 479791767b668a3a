// Starts the local stack (scripts/start-local.mjs) on a free port with a fresh state folder, for
// the end-to-end tests and the benchmarks.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./wrangler.mjs";

export function freePort() {
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

/**
 * Starts scripts/start-local.mjs on a free port with a fresh state folder and waits for /health.
 * `devArgs` go to `wrangler dev` (WRANGLER_DEV_ARGS); `root` is the checkout to run (a snapshot).
 */
export async function startStack({ devArgs = [], root = ROOT, startTimeoutMs = 90_000 } = {}) {
  const port = await freePort();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "batch-api-state-"));
  let output = "";
  const stack = spawn(process.execPath, [path.join(root, "scripts", "start-local.mjs")], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      PERSIST_TO: stateDir,
      WRANGLER_DEV_ARGS: [process.env.WRANGLER_DEV_ARGS ?? "", ...devArgs].join(" ").trim(),
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const append = (chunk) => {
    // keep the tail only: a long run logs a line per queue batch
    output = (output + chunk).slice(-200_000);
  };
  stack.stdout.on("data", append);
  stack.stderr.on("data", append);
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
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
      process.kill(-stack.pid, "SIGKILL");
      throw new Error(`the local stack did not start in ${startTimeoutMs / 1000} s:\n${output}`);
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
  return { origin, pid: stack.pid, stateDir, stop, output: () => output };
}
