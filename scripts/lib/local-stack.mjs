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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs scripts/start-local.mjs of `root` with `args` to completion; throws with its output when it fails. */
function runStartLocal(root, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "scripts", "start-local.mjs"), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`start-local.mjs ${args.join(" ")} failed (${code ?? signal}):\n${output}`)),
    );
  });
}

/**
 * Makes `stateDir` ready for a stack, as `npm start` does before `wrangler dev`: applies the D1
 * migrations and seeds the local project and key. Idempotent. No stack may be running on it.
 */
export function prepareState(stateDir, { root = ROOT } = {}) {
  return runStartLocal(root, ["--prepare-only"], { PERSIST_TO: stateDir });
}

/**
 * Whether a process of the process group `pgid` is still running. On Linux it reads /proc and
 * ignores zombies: a child whose parent exited first is reparented to PID 1, which may never reap it.
 */
function groupAlive(pgid) {
  if (fs.existsSync("/proc/self/stat")) {
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) {
        continue;
      }
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        // after the command (in parentheses, which may itself hold any character): state, ppid, pgrp
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(pgrp) === pgid && state !== "Z") {
          return true;
        }
      } catch {
        // the process exited while we looked
      }
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return err.code !== "ESRCH";
  }
}

/** Sends `signal` to the process group and waits up to `ms` for all of it to exit. */
async function signalGroup(pgid, signal, ms) {
  try {
    process.kill(-pgid, signal);
  } catch {
    return true; // gone already
  }
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) {
      return false;
    }
    await sleep(50);
  }
  return true;
}

/**
 * Starts scripts/start-local.mjs on a free port and waits for /health.
 * - `stateDir`: the state folder (PERSIST_TO) to run on, made with `prepareState` (or used by a
 *   stack before); it is kept by `stop()`. Without it, a fresh temp folder is prepared, and removed
 *   by `stop()`.
 * - `seed(stateDir)`: steps that write the state folder (for example
 *   `scripts/api-keys.mjs create --persist-to <stateDir>`) after it is prepared and before
 *   `wrangler dev` opens it. Nothing may write the state of a running stack from another process.
 * - `devArgs` go to `wrangler dev` (WRANGLER_DEV_ARGS); `root` is the checkout to run (a snapshot).
 * `stop()` resolves once every process of the stack has exited, so the state folder is free again.
 */
export async function startStack({
  devArgs = [],
  root = ROOT,
  startTimeoutMs = 90_000,
  stateDir: givenStateDir,
  seed,
} = {}) {
  const ownsState = givenStateDir === undefined;
  const stateDir = givenStateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "batch-api-state-"));
  const removeState = () => {
    if (ownsState) {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  };
  try {
    if (ownsState) {
      await prepareState(stateDir, { root });
    }
    await seed?.(stateDir);
  } catch (err) {
    removeState();
    throw err;
  }

  const port = await freePort();
  let output = "";
  const stack = spawn(process.execPath, [path.join(root, "scripts", "start-local.mjs"), "--no-prepare"], {
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

  const stop = async () => {
    if (!(await signalGroup(stack.pid, "SIGINT", 10_000))) {
      await signalGroup(stack.pid, "SIGKILL", 10_000);
    }
    removeState();
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (stack.exitCode !== null) {
      await stop();
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
      await signalGroup(stack.pid, "SIGKILL", 10_000);
      removeState();
      throw new Error(`the local stack did not start in ${startTimeoutMs / 1000} s:\n${output}`);
    }
    await sleep(250);
  }
  return { origin, pid: stack.pid, stateDir, stop, output: () => output };
}
