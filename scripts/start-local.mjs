#!/usr/bin/env node
// `npm start`: the whole stack on this machine with no Cloudflare account. Applies the D1
// migrations, seeds the local API key, then runs `wrangler dev` with local D1, R2, Queues, Durable
// Objects and the Workers AI simulator. Environment: PORT (default 8787), PERSIST_TO (state folder,
// default .wrangler/state), and WRANGLER_DEV_ARGS for extra flags such as `--var KEY:VALUE`.
import {
  LOCAL_API_KEY,
  LOCAL_PROJECT_ID,
  runWrangler,
  sha256Hex,
  spawnWrangler,
  sqlString,
} from "./lib/wrangler.mjs";

const port = Number(process.env.PORT ?? 8787);
const host = "127.0.0.1";
const persist = process.env.PERSIST_TO ? ["--persist-to", process.env.PERSIST_TO] : [];
const base = ["-c", "wrangler.toml", "-e", "local"];

runWrangler(["d1", "migrations", "apply", "DB", "--local", ...base, ...persist], { quiet: true });
const now = Math.floor(Date.now() / 1000);
const seed = [
  `INSERT OR IGNORE INTO projects (id, name, created_at) VALUES (${sqlString(LOCAL_PROJECT_ID)}, 'local', ${now});`,
  `INSERT OR IGNORE INTO api_keys (id, project_id, key_hash, key_hint, name, created_at) VALUES ('key_local', ${sqlString(LOCAL_PROJECT_ID)}, ${sqlString(sha256Hex(LOCAL_API_KEY))}, ${sqlString(LOCAL_API_KEY.slice(0, 8))}, 'local stack', ${now});`,
].join(" ");
runWrangler(["d1", "execute", "DB", "--local", ...base, ...persist, "--command", seed], { quiet: true });

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
          `\nBatch API ready.\n  OPENAI_BASE_URL=${baseUrl}\n  OPENAI_API_KEY=${LOCAL_API_KEY}\n  docs: http://${host}:${port}/docs\n`,
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
