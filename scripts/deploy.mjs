#!/usr/bin/env node
// `npm run deploy`: applies the D1 migrations to the production database, then deploys the Worker
// ([env.production] of wrangler.toml). Arguments go to `wrangler deploy`. With --dry-run it only
// bundles (`wrangler deploy --dry-run`) and never touches a remote database: an npm `predeploy`
// hook would migrate even then, which is why this is a script.
import { spawnSync } from "node:child_process";
import {
  PRODUCTION_CONFIG_ARGS,
  productionDatabaseProblem,
  ROOT,
  WRANGLER,
  wranglerEnv,
} from "./lib/wrangler.mjs";

const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");

/** Runs wrangler with the terminal attached; exits with its code when it fails. */
function wrangler(wranglerArgs) {
  const result = spawnSync(process.execPath, [WRANGLER, ...wranglerArgs], {
    cwd: ROOT,
    env: wranglerEnv(),
    stdio: "inherit",
  });
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}

if (!dryRun) {
  const problem = productionDatabaseProblem();
  if (problem) {
    console.error(`error: ${problem}`);
    process.exit(2);
  }
  wrangler(["d1", "migrations", "apply", "DB", "--remote", ...PRODUCTION_CONFIG_ARGS]);
}
wrangler(["deploy", ...PRODUCTION_CONFIG_ARGS, ...args]);
