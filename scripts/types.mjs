#!/usr/bin/env node
// `npm run types` writes src/worker-configuration.d.ts from wrangler.toml; `npm run types:check`
// (--check) fails when it is out of date. Secrets are typed from .dev.vars.example. Both run
// wrangler in a scratch folder whose .dev.vars is that example: `wrangler types --check` (4.86)
// ignores --env-file and reads the .dev.vars beside the config, which exists only where `npm start`
// ran and may hold a developer's own keys, so in the project folder the result would vary by machine.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ROOT, runWrangler } from "./lib/wrangler.mjs";

const TYPES = path.join("src", "worker-configuration.d.ts");
const { values } = parseArgs({ options: { check: { type: "boolean" } } });

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "batch-api-types-"));
try {
  fs.mkdirSync(path.join(scratch, "src"));
  fs.copyFileSync(path.join(ROOT, "wrangler.toml"), path.join(scratch, "wrangler.toml"));
  fs.copyFileSync(path.join(ROOT, ".dev.vars.example"), path.join(scratch, ".dev.vars"));
  // the entry point types `mainModule`; the same relative path keeps `import("./index")`
  fs.symlinkSync(path.join(ROOT, "src", "index.ts"), path.join(scratch, "src", "index.ts"));
  const args = ["types", TYPES, "-c", "wrangler.toml", "--include-runtime", "false"];
  if (values.check) {
    fs.copyFileSync(path.join(ROOT, TYPES), path.join(scratch, TYPES));
    runWrangler([...args, "--check"], { cwd: scratch });
  } else {
    runWrangler(args, { quiet: true, cwd: scratch });
    fs.copyFileSync(path.join(scratch, TYPES), path.join(ROOT, TYPES));
    console.log(`Wrote ${TYPES}.`);
  }
} catch (err) {
  console.error(err.message);
  process.exitCode = 1;
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
