#!/usr/bin/env node
// `run-batch`: run a whole OpenAI-format batch with one command, like `vllm run-batch` and
// `fastdeploy run-batch`, against this Batch API (or any OpenAI-compatible one). This file only
// wires the modules in ./lib to the process: argv, env, stdio, signals and the exit code.
import { rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import OpenAI from "openai";
import { HELP, parseCliArgs } from "./lib/args.mjs";
import { CliError, EXIT } from "./lib/errors.mjs";
import { BatchRun, toCliError } from "./lib/run.mjs";

async function main() {
  let parsed;
  try {
    parsed = parseCliArgs(process.argv.slice(2), process.env);
  } catch (err) {
    return fail(toCliError(err, ""));
  }
  if (parsed.kind === "help") {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (parsed.kind === "version") {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
    process.stdout.write(`run-batch ${pkg.version}\n`);
    return EXIT.ok;
  }

  const { options } = parsed;
  const client = new OpenAI({ baseURL: options.baseUrl, apiKey: options.apiKey, maxRetries: 3 });
  const run = new BatchRun(options, { client, stdout: process.stdout, stderr: process.stderr });

  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts += 1;
    if (interrupts === 1 && run.interrupt()) {
      return;
    }
    const workDir = run.workDirToRemove();
    if (workDir) {
      rmSync(workDir, { recursive: true, force: true });
    }
    process.stderr.write("\nrun-batch: interrupted\n");
    process.exit(EXIT.interrupted);
  });

  try {
    return await run.run();
  } catch (err) {
    return fail(toCliError(err, options.baseUrl));
  }
}

/** @param {CliError} err */
function fail(err) {
  process.stderr.write(`run-batch: ${err.message}\n`);
  for (const line of err.details) {
    process.stderr.write(`  ${line}\n`);
  }
  return err.exitCode;
}

process.exitCode = await main();
