import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const LOCAL_API_KEY = "sk-local-batch-api-key";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

let stack: ChildProcess | undefined;
let stateDir: string | undefined;
let output = "";

export async function setup(project: TestProject): Promise<void> {
  const port = await freePort();
  stateDir = mkdtempSync(path.join(tmpdir(), "batch-api-e2e-"));
  stack = spawn(process.execPath, [path.join(ROOT, "scripts", "start-local.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      PERSIST_TO: stateDir,
      WRANGLER_DEV_ARGS: "--var SIMULATOR_LATENCY_MS:5",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  stack.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  stack.stderr?.on("data", (chunk) => {
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
  project.provide("origin", origin);
  project.provide("apiKey", LOCAL_API_KEY);
  // the stack's local state folder (its PERSIST_TO), for tests that drive scripts against it
  project.provide("stateDir", stateDir);
}

export async function teardown(): Promise<void> {
  if (stack?.pid && stack.exitCode === null) {
    const exited = new Promise((resolve) => stack?.once("exit", resolve));
    process.kill(-stack.pid, "SIGINT");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (stack.exitCode === null) {
      process.kill(-stack.pid, "SIGKILL");
    }
  }
  if (stateDir) {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    origin: string;
    apiKey: string;
    stateDir: string;
  }
}
