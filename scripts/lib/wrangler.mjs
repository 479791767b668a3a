// Helpers for scripts that drive the wrangler CLI of this checkout.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** The documented key of the local stack. It exists only in local D1; never deploy it. */
export const LOCAL_API_KEY = "sk-local-batch-api-key";
export const LOCAL_PROJECT_ID = "proj_local";

export function wranglerEnv() {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
}

/** Runs wrangler to completion; throws with its output when it fails. */
export function runWrangler(args, { quiet = false } = {}) {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: wranglerEnv(),
    encoding: "utf8",
    stdio: quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0) {
    throw new Error(
      `wrangler ${args.join(" ")} failed (${result.status})\n${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
  }
  return result.stdout ?? "";
}

export function spawnWrangler(args, options = {}) {
  return spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: wranglerEnv(), ...options });
}

export function sha256Hex(value) {
  return createHash("sha256").update(value).digest("hex");
}

/** Single-quoted SQL literal. */
export function sqlString(value) {
  return `'${String(value).replaceAll("'", "''")}'`;
}
