#!/usr/bin/env node
// `npm run keys -- <command>`: create, list and revoke API keys, for the local stack (default) or a
// deployed Worker (`--remote`). It drives `wrangler d1 execute DB --json`; only the SHA-256 of a key
// and a short hint are stored, and a new key is printed once. Run with --help for the commands.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  D1ExecuteError,
  d1Execute,
  productionDatabaseProblem,
  seedAdminKeySql,
  sha256Hex,
  sqlString,
} from "./lib/wrangler.mjs";

const USAGE = `Usage: npm run keys -- <command> [options]

Commands:
  create --project <name-or-id> [--name <label>]
                          create an API key for a project (the project is created if no project
                          has that name); the key is printed once and cannot be shown again
  list [--project <name-or-id>]
                          list API keys: id, project, hint, name, created, revoked
  revoke <key-id>         revoke a key (key_...); requests with it get 401 from then on
  projects                list projects
  admin-create [--name <label>]
                          create an admin API key (sk-admin-...) for the Admin API; printed once.
                          Use it for everything after bootstrapping: projects, service accounts
                          and their keys, rate limits and usage under /v1/organization/* (README,
                          Admin API), e.g. with \`client.admin.organization\` of the openai SDK.
                          A deployment can also take its first admin key from the ADMIN_API_KEY
                          secret (\`npx wrangler secret put ADMIN_API_KEY\`).

Target:
  --local                 the local stack's D1 (default), as used by \`npm start\`
  --persist-to <dir>      the local state folder, like PERSIST_TO of \`npm start\`
                          (default: $PERSIST_TO, else .wrangler/state)
  --remote                the deployed Worker's D1 ([env.production] in wrangler.toml); needs
                          \`npx wrangler login\` or CLOUDFLARE_API_TOKEN (+ CLOUDFLARE_ACCOUNT_ID)

Output:
  --json                  machine-readable output
  -h, --help              this help

Exit codes: 0 ok, 2 usage or configuration error (including an unknown project or key), 1 wrangler failed.`;

const KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_RANDOM_LENGTH = 48; // base62: about 285 bits
const KEY_HINT_LENGTH = 8; // "sk-" and 5 characters, like the seeded local key's hint
const ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const MAX_TEXT_LENGTH = 200;
// C0 and C1 control characters and DEL (Cc), line/paragraph separators, and bidi overrides/isolates
const CONTROL_CHARS = /[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/u;

class UsageError extends Error {}

/** `prefix` and 48 base62 characters from node:crypto, without modulo bias. */
function generateKey(prefix = "sk-") {
  let body = "";
  while (body.length < KEY_RANDOM_LENGTH) {
    for (const byte of randomBytes(64)) {
      // 248 = 4 * 62: drop bytes above it so every character is equally likely
      if (byte < 248 && body.length < KEY_RANDOM_LENGTH) {
        body += KEY_ALPHABET[byte % 62];
      }
    }
  }
  return `${prefix}${body}`;
}

/** The same id shape as src/domain/ids.ts: prefix, then a ULID (time, then 80 random bits). */
function newId(prefix) {
  let time = "";
  let rest = Date.now();
  for (let i = 0; i < 10; i++) {
    time = ULID_ALPHABET[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  let random = "";
  for (const byte of randomBytes(16)) {
    random += ULID_ALPHABET[byte % 32];
  }
  return `${prefix}${time}${random}`;
}

function checkText(option, value) {
  if (value.trim() === "") {
    throw new UsageError(`${option} must not be empty`);
  }
  if (CONTROL_CHARS.test(value)) {
    throw new UsageError(`${option} must not contain control characters (such as newlines or tabs)`);
  }
  if (value.length > MAX_TEXT_LENGTH) {
    throw new UsageError(`${option} must be at most ${MAX_TEXT_LENGTH} characters`);
  }
  return value;
}

/** Printable form of a stored value: control characters (say, from rows written by other tools) escaped. */
function display(value) {
  if (value === null || value === undefined) {
    return "-";
  }
  return String(value).replace(
    new RegExp(CONTROL_CHARS.source, "gu"),
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function isoTime(seconds) {
  return seconds === null || seconds === undefined
    ? "-"
    : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function printTable(headers, rows) {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(headers));
  for (const row of rows) {
    console.log(line(row));
  }
}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        project: { type: "string" },
        name: { type: "string" },
        local: { type: "boolean" },
        remote: { type: "boolean" },
        "persist-to": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError(err.message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === "help") {
    return { help: true };
  }
  if (!command) {
    throw new UsageError("missing command: create, list, revoke, projects or admin-create");
  }
  if (values.local && values.remote) {
    throw new UsageError("--local and --remote exclude each other");
  }
  if (values.remote && values["persist-to"] !== undefined) {
    throw new UsageError("--persist-to applies to the local stack only, not to --remote");
  }
  const allowed = {
    create: { options: ["project", "name"], positionals: 0 },
    list: { options: ["project"], positionals: 0 },
    revoke: { options: [], positionals: 1 },
    projects: { options: [], positionals: 0 },
    "admin-create": { options: ["name"], positionals: 0 },
  }[command];
  if (!allowed) {
    throw new UsageError(
      `unknown command "${display(command)}": use create, list, revoke, projects or admin-create`,
    );
  }
  for (const option of ["project", "name"]) {
    if (values[option] !== undefined && !allowed.options.includes(option)) {
      throw new UsageError(`${command} does not take --${option}`);
    }
  }
  if (rest.length > allowed.positionals) {
    throw new UsageError(`unexpected argument "${display(rest[allowed.positionals])}"`);
  }
  if (rest.length < allowed.positionals) {
    throw new UsageError(`${command} needs a key id, e.g. \`revoke key_01J...\``);
  }
  const persistTo = values.remote ? undefined : (values["persist-to"] ?? process.env.PERSIST_TO);
  if (persistTo !== undefined && persistTo.trim() === "") {
    throw new UsageError("--persist-to must not be empty");
  }
  return {
    command,
    args: rest,
    project: values.project,
    name: values.name,
    json: values.json ?? false,
    target: { remote: values.remote ?? false, persistTo: persistTo ? path.resolve(persistTo) : undefined },
  };
}

function checkRemoteConfig() {
  const problem = productionDatabaseProblem();
  if (problem) {
    throw new UsageError(problem);
  }
}

/** A project given by id (`proj_...`, must exist) or by name (null when no project has it). */
function projectFilter(ref) {
  return ref.startsWith("proj_") ? `id = ${sqlString(ref)}` : `name = ${sqlString(ref)}`;
}

function pickProject(ref, matches) {
  if (matches.length > 1) {
    throw new UsageError(
      `several projects are named "${display(ref)}" (${matches.map((p) => p.id).join(", ")}): pass the project id instead`,
    );
  }
  if (matches.length === 0 && ref.startsWith("proj_")) {
    throw new UsageError(`no project has the id ${display(ref)} (see \`npm run keys -- projects\`)`);
  }
  return matches[0] ?? null;
}

function create({ project: ref, name, json, target }) {
  if (ref === undefined) {
    throw new UsageError("create needs --project <name-or-id>");
  }
  checkText("--project", ref);
  if (name !== undefined) {
    checkText("--name", name);
  }
  const [matches] = d1Execute(
    `SELECT id, name FROM projects WHERE ${projectFilter(ref)} ORDER BY created_at, id;`,
    target,
  );
  const existing = pickProject(ref, matches);
  const project = existing ?? { id: newId("proj_"), name: ref };
  const key = generateKey();
  const keyId = newId("key_");
  const now = Math.floor(Date.now() / 1000);
  const statements = [];
  if (!existing) {
    statements.push(
      `INSERT INTO projects (id, name, created_at) VALUES (${sqlString(project.id)}, ${sqlString(project.name)}, ${now});`,
    );
  }
  statements.push(
    `INSERT INTO api_keys (id, project_id, key_hash, key_hint, name, created_at) VALUES (${sqlString(keyId)}, ${sqlString(project.id)}, ${sqlString(sha256Hex(key))}, ${sqlString(key.slice(0, KEY_HINT_LENGTH))}, ${name === undefined ? "NULL" : sqlString(name)}, ${now});`,
  );
  d1Execute(statements.join(" "), target);

  const warning =
    "Save this key now: it is shown only this once. Only its SHA-256 hash is stored, so it cannot be shown again; if it is lost, create a new key and revoke this one.";
  if (json) {
    console.warn(warning);
    console.log(
      JSON.stringify(
        {
          id: keyId,
          key,
          hint: key.slice(0, KEY_HINT_LENGTH),
          name: name ?? null,
          project_id: project.id,
          project: project.name,
          project_created: !existing,
          created_at: now,
        },
        null,
        2,
      ),
    );
    return;
  }
  if (!existing) {
    console.log(`Created project "${display(project.name)}" (${project.id}).`);
  }
  const label = name === undefined ? "" : ` named "${display(name)}"`;
  console.log(`Created API key ${keyId}${label} for project "${display(project.name)}" (${project.id}).`);
  console.log(`\n    ${key}\n`);
  console.log(`WARNING: ${warning}`);
}

function list({ project: ref, json, target }) {
  if (ref !== undefined) {
    checkText("--project", ref);
  }
  const keyColumns =
    "k.id, k.project_id, p.name AS project_name, k.key_hint, k.name, k.created_at, k.revoked_at FROM api_keys k LEFT JOIN projects p ON p.id = k.project_id";
  let rows;
  if (ref === undefined) {
    [rows] = d1Execute(`SELECT ${keyColumns} ORDER BY k.created_at, k.id;`, target);
  } else {
    const filter = projectFilter(ref);
    const [matches, keys] = d1Execute(
      `SELECT id, name FROM projects WHERE ${filter} ORDER BY created_at, id; SELECT ${keyColumns} WHERE k.project_id IN (SELECT id FROM projects WHERE ${filter}) ORDER BY k.created_at, k.id;`,
      target,
    );
    if (!pickProject(ref, matches)) {
      throw new UsageError(`no project is named "${display(ref)}" (see \`npm run keys -- projects\`)`);
    }
    rows = keys;
  }
  if (json) {
    const out = rows.map((row) => ({
      id: row.id,
      project_id: row.project_id,
      project: row.project_name ?? null,
      hint: row.key_hint,
      name: row.name ?? null,
      created_at: row.created_at,
      revoked_at: row.revoked_at ?? null,
    }));
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  if (rows.length === 0) {
    console.log("No API keys.");
    return;
  }
  printTable(
    ["ID", "PROJECT", "HINT", "NAME", "CREATED", "REVOKED"],
    rows.map((row) => [
      display(row.id),
      `${display(row.project_name)} (${display(row.project_id)})`,
      `${display(row.key_hint)}...`,
      display(row.name),
      isoTime(row.created_at),
      isoTime(row.revoked_at),
    ]),
  );
}

function revoke({ args: [keyId], json, target }) {
  if (!/^key_[A-Za-z0-9_-]{1,124}$/.test(keyId)) {
    throw new UsageError(`"${display(keyId)}" is not an API key id (key_...; see \`npm run keys -- list\`)`);
  }
  const now = Math.floor(Date.now() / 1000);
  const id = sqlString(keyId);
  const [before, , after] = d1Execute(
    `SELECT revoked_at FROM api_keys WHERE id = ${id}; UPDATE api_keys SET revoked_at = ${now} WHERE id = ${id} AND revoked_at IS NULL; SELECT k.id, k.project_id, p.name AS project_name, k.revoked_at FROM api_keys k LEFT JOIN projects p ON p.id = k.project_id WHERE k.id = ${id};`,
    target,
  );
  const row = after[0];
  if (!row) {
    throw new UsageError(`no API key has the id ${keyId} (see \`npm run keys -- list\`)`);
  }
  const already = before[0]?.revoked_at !== null && before[0]?.revoked_at !== undefined;
  if (json) {
    console.log(
      JSON.stringify(
        { id: row.id, project_id: row.project_id, revoked_at: row.revoked_at, already_revoked: already },
        null,
        2,
      ),
    );
    return;
  }
  const project = `"${display(row.project_name)}" (${row.project_id})`;
  console.log(
    already
      ? `API key ${row.id} of project ${project} was already revoked at ${isoTime(row.revoked_at)}.`
      : `Revoked API key ${row.id} of project ${project}; requests with it now get 401.`,
  );
}

function projects({ json, target }) {
  const [rows] = d1Execute(
    "SELECT p.id, p.name, p.created_at, (SELECT COUNT(*) FROM api_keys k WHERE k.project_id = p.id AND k.revoked_at IS NULL) AS active_keys FROM projects p ORDER BY p.created_at, p.id;",
    target,
  );
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    console.log("No projects.");
    return;
  }
  printTable(
    ["ID", "NAME", "CREATED", "ACTIVE KEYS"],
    rows.map((row) => [display(row.id), display(row.name), isoTime(row.created_at), String(row.active_keys)]),
  );
}

function adminCreate({ name, json, target }) {
  if (name !== undefined) {
    checkText("--name", name);
  }
  const key = generateKey("sk-admin-");
  const keyId = newId("key_");
  const now = Math.floor(Date.now() / 1000);
  d1Execute(seedAdminKeySql({ keyId, key, name: name ?? null, now }), target);
  const warning =
    "Save this admin key now: it is shown only this once. It opens the Admin API (/v1/organization/*) only; delete it there with DELETE /v1/organization/admin_api_keys/<id>.";
  if (json) {
    console.warn(warning);
    console.log(JSON.stringify({ id: keyId, key, name: name ?? null, created_at: now }, null, 2));
    return;
  }
  console.log(`Created admin API key ${keyId}${name === undefined ? "" : ` named "${display(name)}"`}.`);
  console.log(`\n    ${key}\n`);
  console.log(`WARNING: ${warning}`);
}

function main() {
  try {
    const options = parse(process.argv.slice(2));
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    if (options.target.remote) {
      checkRemoteConfig();
    }
    ({ create, list, revoke, projects, "admin-create": adminCreate })[options.command](options);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\nRun \`npm run keys -- --help\` for usage.`);
      return 2;
    }
    if (err instanceof D1ExecuteError) {
      console.error(`error: wrangler d1 execute failed: ${err.message}`);
      if (err.output) {
        console.error(err.output);
      }
      if (/no such table/i.test(err.message)) {
        console.error(
          "hint: the database has no tables yet. Locally, run `npm start` (or `npm run db:migrate:local`) with the same state folder; for --remote, `npm run deploy` applies the migrations.",
        );
      }
      return 1;
    }
    throw err;
  }
}

process.exitCode = main();
