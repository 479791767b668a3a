#!/usr/bin/env node
// `run-batch`: run a whole OpenAI-format batch with one command, like `vllm run-batch` and
// `fastdeploy run-batch`, against this Batch API (or any OpenAI-compatible one). This file only
// wires the modules in ./lib to the process: argv, env, stdio, signals and the exit code.
import { rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { HELP, parseCliArgs } from "./lib/args.mjs";
import { CliError, EXIT } from "./lib/errors.mjs";
import { resolveLocalPaths, userDirectory } from "./lib/paths.mjs";
import { stopWaitingMessage } from "./lib/resume.mjs";
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

  const options = resolveLocalPaths(parsed.options, userDirectory(process.env, process.cwd()));
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
    const lines =
      run.batchId === null
        ? ["run-batch: interrupted"]
        : stopWaitingMessage({
            options,
            batchId: run.batchId,
            status: run.lastStatus,
            cancelSent: run.cancelSent,
            script: fileURLToPath(import.meta.url),
            env: process.env,
          });
    // The leading newline ends a half-drawn progress bar.
    process.stderr.write(`\n${lines.join("\n")}\n`);
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
