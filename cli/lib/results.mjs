/**
 * Turning a finished batch into the user's files: download the server's output and error files,
 * merge them in input order, then move the result into place (rename for a local path, PUT with
 * retries for a URL). A half-written result never appears under the final name.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isHttpUrl } from "./args.mjs";
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

  const outputStage = stagePath(outputFile, stagingDir);
  const errorStage = errorFile === null ? null : stagePath(errorFile, stagingDir);
  try {
    const report = await mergeResults({ order, sources, outputPath: outputStage, errorPath: errorStage });
    await deliver(outputStage, outputFile, log);
    if (errorFile !== null && errorStage !== null) {
      await deliver(errorStage, errorFile, log);
    }
    return report;
  } finally {
    await rm(outputStage, { force: true });
    if (errorStage !== null) {
      await rm(errorStage, { force: true });
    }
  }
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

/** @param {string} staged @param {string} target @param {(message: string) => void} log */
async function deliver(staged, target, log) {
  if (!isHttpUrl(target)) {
    await rename(staged, target);
    return;
  }
  const { attempts } = await putFileWithRetries(target, staged, {
    onRetry: ({ attempt, reason, delayMs }) =>
      log(`upload to ${target} failed (attempt ${attempt}: ${reason}); retrying in ${delayMs / 1000}s`),
  });
  if (attempts > 1) {
    log(`uploaded ${target} on attempt ${attempts}`);
  }
}
