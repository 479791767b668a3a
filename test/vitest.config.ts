import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const root = path.join(import.meta.dirname, "..");
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  // the committed example, not a developer's .dev.vars: tests see the same secrets on every machine
  const secrets = parseEnv(readFileSync(path.join(root, ".dev.vars.example"), "utf8"));
  // wrangler would log "Using secrets defined in .dev.vars" once per test file wherever `npm start`
  // made one, though the bindings above win; its warnings and errors still show
  process.env.WRANGLER_LOG ??= "warn";
  return {
    plugins: [
      cloudflareTest({
        // the top level of wrangler.toml is the local stack: no `ai` binding, the simulator instead
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: { bindings: { ...secrets, TEST_MIGRATIONS: migrations } },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      // end-to-end and browser tests run in Node against a local stack (their own configs)
      exclude: ["test/e2e/**", "test/browser/**"],
      setupFiles: ["./test/setup/apply-migrations.ts", "./test/setup/settle-batches.ts"],
      // flows wait for batches to run through the real local queue and Durable Objects
      testTimeout: 60_000,
      // logs the code writes on purpose (cron runs, retries) are shown only for tests that fail
      silent: "passed-only" as const,
    },
  };
});
