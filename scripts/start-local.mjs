#!/usr/bin/env node
// `npm start`: the whole stack on this machine with no Cloudflare account. Applies the D1
// migrations, seeds the local API key, then runs `wrangler dev` with local D1, R2, Queues, Durable
// Objects and the Workers AI simulator; local secrets come from .dev.vars, created from
// .dev.vars.example when missing. Environment: PORT (default 8787), PERSIST_TO (state folder,
// default .wrangler/state), and WRANGLER_DEV_ARGS for extra flags such as `--var KEY:VALUE`.
// Flags (scripts/lib/local-stack.mjs uses them to seed a state folder before `wrangler dev` opens
// it): --prepare-only applies the migrations and seeds the local key, then exits; --no-prepare
// skips that and starts `wrangler dev` on a state folder prepared before.
import { parseArgs } from "node:util";
import { ensureDevVars } from "./lib/dev-vars.mjs";
import {
  LOCAL_ADMIN_KEY,
  LOCAL_API_KEY,
  LOCAL_CONFIG_ARGS,
  LOCAL_PROJECT_ID,
  ROOT,
  runWrangler,
  seedAdminKeySql,
  seedKeySql,
  spawnWrangler,
} from "./lib/wrangler.mjs";

const { values: flags } = parseArgs({
  options: { "prepare-only": { type: "boolean" }, "no-prepare": { type: "boolean" } },
});
if (flags["prepare-only"] && flags["no-prepare"]) {
  console.error("error: --prepare-only and --no-prepare exclude each other");
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8787);
const host = "127.0.0.1";
const persist = process.env.PERSIST_TO ? ["--persist-to", process.env.PERSIST_TO] : [];
const base = LOCAL_CONFIG_ARGS;

if (!flags["no-prepare"]) {
  runWrangler(["d1", "migrations", "apply", "DB", "--local", ...base, ...persist], { quiet: true });
  const now = Math.floor(Date.now() / 1000);
  const seed = `${seedKeySql({
    projectId: LOCAL_PROJECT_ID,
    projectName: "local",
    keyId: "key_local",
    key: LOCAL_API_KEY,
    keyName: "local stack",
    now,
  })} ${seedAdminKeySql({ keyId: "key_admin_local", key: LOCAL_ADMIN_KEY, name: "local stack", now })}`;
  runWrangler(["d1", "execute", "DB", "--local", ...base, ...persist, "--command", seed], { quiet: true });
}
if (flags["prepare-only"]) {
  process.exit(0);
}

if (ensureDevVars(ROOT)) {
  console.log("Created .dev.vars (local secrets, gitignored) from .dev.vars.example.");
}
const extra = (process.env.WRANGLER_DEV_ARGS ?? "").split(/\s+/).filter(Boolean);
const dev = spawnWrangler(
  [
    "dev",
    ...base,
    ...persist,
    "--ip",
    host,
    "--port",
    String(port),
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    ...extra,
  ],
  { stdio: ["ignore", "inherit", "inherit"] },
);

const baseUrl = `http://${host}:${port}/v1`;
let stopping = false;
async function announceWhenReady() {
  for (let i = 0; i < 600 && !stopping; i++) {
    try {
      const res = await fetch(`http://${host}:${port}/health`);
      if (res.ok) {
        console.log(
          `\nBatch API ready.\n  OPENAI_BASE_URL=${baseUrl}\n  OPENAI_API_KEY=${LOCAL_API_KEY}\n  OPENAI_ADMIN_KEY=${LOCAL_ADMIN_KEY}\n  dashboard: http://${host}:${port}/\n  docs: http://${host}:${port}/docs\n`,
        );
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
announceWhenReady();

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    stopping = true;
    dev.kill("SIGINT");
  });
}
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
