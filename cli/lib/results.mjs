/**
 * Turning a finished batch into the user's files: download the server's output and error files,
 * merge them in input order, then move the result into place (rename for a local path, PUT with
 * retries for a URL). A half-written result never appears under the final name, and a result that
 * cannot be moved into place is kept where it was staged, with its path in the error.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isHttpUrl } from "./args.mjs";
import { CliError, EXIT } from "./errors.mjs";
import { mergeResults } from "./output.mjs";
import { putFileWithRetries } from "./transfer.mjs";

/**
 * @param {object} args
 * @param {import("openai").OpenAI} args.client
 * @param {import("openai").OpenAI.Batches.Batch} args.batch
 * @param {Map<string, number>} args.order
 * @param {string} args.outputFile local path or URL
 * @param {string | null} args.errorFile local path or URL
 * @param {string} args.workDir scratch folder for the downloads
 * @param {string} args.stagingDir where results for a URL are staged before the PUT
 * @param {(message: string) => void} args.log
 * @returns {Promise<import("./output.mjs").MergeReport>}
 */
export async function writeResults({
  client,
  batch,
  order,
  outputFile,
  errorFile,
  workDir,
  stagingDir,
  log,
}) {
  /** @type {import("./output.mjs").ResultSource[]} */
  const sources = [];
  if (batch.output_file_id) {
    const dest = path.join(workDir, "server-output.jsonl");
    await downloadFile(client, batch.output_file_id, dest);
    sources.push({ path: dest, kind: "success" });
  }
  if (batch.error_file_id) {
    const dest = path.join(workDir, "server-errors.jsonl");
    await downloadFile(client, batch.error_file_id, dest);
    sources.push({ path: dest, kind: "error" });
  }

  /** @type {Move} */
  const output = { what: "output", staged: stagePath(outputFile, stagingDir), target: outputFile };
  /** @type {Move | null} */
  const errors =
    errorFile === null
      ? null
      : { what: "error file", staged: stagePath(errorFile, stagingDir), target: errorFile };
  const moves = errors === null ? [output] : [output, errors];
  let report;
  try {
    report = await mergeResults({
      order,
      sources,
      outputPath: output.staged,
      errorPath: errors?.staged ?? null,
    });
  } catch (err) {
    await Promise.all(moves.map((m) => rm(m.staged, { force: true })));
    throw err;
  }
  /** @type {Array<{ move: Move, err: unknown }>} */
  const failures = [];
  for (const move of moves) {
    try {
      await deliver(move, log);
    } catch (err) {
      failures.push({ move, err });
    }
  }
  if (failures.length > 0) {
    throw keptError(failures);
  }
  return report;
}

/**
 * @typedef {object} Move
 * @property {string} what "output" or "error file", for messages
 * @property {string} staged the complete result, not yet in place
 * @property {string} target local path or URL
 */

/**
 * The results are complete; only putting them in place failed. Deleting them would throw away a
 * whole batch's output, so they stay where they were staged and the error says where.
 * @param {Array<{ move: Move, err: unknown }>} failures at least one
 */
function keptError(failures) {
  const [first, ...others] = failures.map(({ move, err }) => ({ move, error: asCliError(err, move) }));
  const { move, error } = /** @type {{ move: Move, error: CliError }} */ (first);
  return new CliError(error.message, error.exitCode, {
    cause: error.cause,
    details: [
      ...error.details,
      `the ${move.what} is kept in ${move.staged}`,
      ...others.map((o) => `the ${o.move.what} is kept in ${o.move.staged} (${o.error.message})`),
    ],
  });
}

/** @param {unknown} err @param {Move} move @returns {CliError} */
function asCliError(err, move) {
  if (err instanceof CliError) {
    return err;
  }
  const reason = err instanceof Error ? err.message : String(err);
  // A local file error, as toCliError in run.mjs counts those.
  return new CliError(`cannot move the ${move.what} into ${move.target}: ${reason}`, EXIT.usage, {
    cause: err,
  });
}

/**
 * @param {import("openai").OpenAI} client
 * @param {string} fileId
 * @param {string} dest
 */
async function downloadFile(client, fileId, dest) {
  const res = await client.files.content(fileId);
  if (res.body === null) {
    throw new Error(`the content of ${fileId} came back empty`);
  }
  await pipeline(
    Readable.fromWeb(/** @type {import("node:stream/web").ReadableStream} */ (res.body)),
    createWriteStream(dest),
  );
}

/** Next to the target for a local path, so the final rename stays on one file system. */
/** @param {string} target @param {string} stagingDir */
function stagePath(target, stagingDir) {
  if (isHttpUrl(target)) {
    return path.join(stagingDir, `run-batch-${randomUUID()}.jsonl`);
  }
  return `${target}.run-batch-${process.pid}.partial`;
}

/** @param {Move} move @param {(message: string) => void} log */
async function deliver({ staged, target }, log) {
  if (!isHttpUrl(target)) {
    await rename(staged, target);
    return;
  }
  const { attempts } = await putFileWithRetries(target, staged, {
    onRetry: ({ attempt, reason, delayMs }) =>
      log(`upload to ${target} failed (attempt ${attempt}: ${reason}); retrying in ${delayMs / 1000}s`),
  });
  await rm(staged, { force: true });
  if (attempts > 1) {
    log(`uploaded ${target} on attempt ${attempts}`);
  }
}
