// Helpers for scripts that drive the wrangler CLI of this checkout.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** The documented key of the local stack. It exists only in local D1; never deploy it. */
export const LOCAL_API_KEY = "sk-local-batch-api-key";
export const LOCAL_PROJECT_ID = "proj_local";
/** The documented admin key of the local stack (Admin API, /v1/organization/*). Local D1 only. */
export const LOCAL_ADMIN_KEY = "sk-admin-local-batch-api-key";

/**
 * The banner is hidden because its "update available" points at wranglers that refuse Node 20 and
 * break the test pool's pin (package.json pins 4.86.0 on purpose; see .nvmrc and engines).
 */
export function wranglerEnv() {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", NO_COLOR: "1" };
}

/** Runs wrangler (in `cwd`, default this checkout) to completion; throws with its output when it fails. */
export function runWrangler(args, { quiet = false, cwd = ROOT } = {}) {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd,
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

/**
 * SQL that adds a project and one API key for it, as `npm start` seeds the local key: only the key's
 * SHA-256 and its first 8 characters (the hint) are stored. Rows that exist already are kept.
 */
export function seedKeySql({ projectId, projectName, keyId, key, keyName = null, now }) {
  const name = keyName === null ? "NULL" : sqlString(keyName);
  return [
    `INSERT OR IGNORE INTO projects (id, name, created_at) VALUES (${sqlString(projectId)}, ${sqlString(projectName)}, ${now});`,
    `INSERT OR IGNORE INTO api_keys (id, project_id, key_hash, key_hint, name, created_at) VALUES (${sqlString(keyId)}, ${sqlString(projectId)}, ${sqlString(sha256Hex(key))}, ${sqlString(key.slice(0, 8))}, ${name}, ${now});`,
  ].join(" ");
}

/**
 * SQL that adds an admin key (Admin API, /v1/organization/*), stored like a project key: its SHA-256,
 * its first 13 and last 4 characters. A key that exists already is kept.
 */
export function seedAdminKeySql({ keyId, key, name = null, now }) {
  return `INSERT OR IGNORE INTO admin_api_keys (id, key_hash, key_hint, key_tail, name, source, created_at) VALUES (${sqlString(keyId)}, ${sqlString(sha256Hex(key))}, ${sqlString(key.slice(0, 13))}, ${sqlString(key.slice(-4))}, ${name === null ? "NULL" : sqlString(name)}, 'api', ${now});`;
}

/**
 * wrangler.toml's top level is the local stack, [env.production] the deployment. Always pass the
 * config: wrangler prefers a wrangler.json(c) from a parent folder to ./wrangler.toml.
 */
export const LOCAL_CONFIG_ARGS = ["-c", "wrangler.toml"];
export const PRODUCTION_CONFIG_ARGS = ["-c", "wrangler.toml", "-e", "production"];

/**
 * Target flags of `wrangler d1 ...`: the local stack (optionally another state folder, like
 * PERSIST_TO of `npm start`) or, with `remote`, the deployed Worker's D1.
 */
export function d1TargetArgs({ remote = false, persistTo } = {}) {
  if (remote) {
    return ["--remote", ...PRODUCTION_CONFIG_ARGS];
  }
  return ["--local", ...LOCAL_CONFIG_ARGS, ...(persistTo ? ["--persist-to", persistTo] : [])];
}

const PLACEHOLDER_DATABASE_ID = "00000000-0000-0000-0000-000000000000";

/**
 * Why the production config cannot reach a real D1 yet, or null: its database_id is still the
 * placeholder that wrangler.toml ships with (README, Deploying).
 */
export function productionDatabaseProblem() {
  const config = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  const block = config.match(/^\[\[env\.production\.d1_databases\]\][^[]*/m)?.[0] ?? "";
  const id = block.match(/^database_id\s*=\s*"([^"]*)"/m)?.[1];
  if (id === undefined) {
    return "wrangler.toml has no database_id in [[env.production.d1_databases]]";
  }
  if (id === PLACEHOLDER_DATABASE_ID) {
    return "wrangler.toml still has the placeholder database_id in [[env.production.d1_databases]]: create the D1 database and put its id there first (README, Deploying)";
  }
  return null;
}

/**
 * Runs SQL (statements separated by `;`) with `wrangler d1 execute DB --json` and returns the rows
 * of each statement. Throws a `D1ExecuteError` with wrangler's message when it fails (`output` holds
 * wrangler's full output when it gave no JSON error).
 */
export function d1Execute(sql, target = {}) {
  const args = ["d1", "execute", "DB", ...d1TargetArgs(target), "--json", "--yes", "--command", sql];
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: wranglerEnv(),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  let parsed;
  try {
    parsed = JSON.parse(result.stdout ?? "");
  } catch {
    parsed = undefined;
  }
  if (result.status === 0 && Array.isArray(parsed)) {
    return parsed.map((statement) => statement.results ?? []);
  }
  if (parsed?.error?.text) {
    throw new D1ExecuteError(parsed.error.text, "");
  }
  const message = result.error?.message ?? `wrangler d1 execute failed (exit ${result.status})`;
  throw new D1ExecuteError(message, `${result.stdout ?? ""}${result.stderr ?? ""}`.trim());
}

export class D1ExecuteError extends Error {
  constructor(message, output) {
    super(message);
    this.name = "D1ExecuteError";
    this.output = output;
  }
}
