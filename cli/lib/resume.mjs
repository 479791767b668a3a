/**
 * What a second Ctrl-C leaves the user with: the batch goes on on the server, so they get its id
 * and a command to paste later that follows it and writes its output (`--batch-id`).
 */
import { DEFAULT_BASE_URL, LOCAL_API_KEY } from "./args.mjs";

/** @typedef {import("./args.mjs").RunBatchOptions} RunBatchOptions */

/**
 * Quotes one argument for a POSIX shell, leaving plain ones (paths, URLs, ids) readable.
 * @param {string} arg
 */
export function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that follows `batchId` and writes its output where this run would have.
 * @param {RunBatchOptions} options with absolute local paths
 * @param {string} batchId
 * @param {string} script absolute path of run-batch.mjs
 */
export function resumeCommand(options, batchId, script) {
  /** @type {Array<[string, string | null]>} */
  const flags = [
    ["--batch-id", batchId],
    ["-i", options.inputFile],
    ["-o", options.outputFile],
    ["--error-file", options.errorFile],
    ["--output-tmp-dir", options.outputTmpDir],
    // The input check needs them to accept the same lines again.
    ["--model", options.model],
    ["--endpoint", options.endpoint],
    ["--base-url", options.baseUrl],
  ];
  const args = flags.flatMap(([flag, value]) => (value === null ? [] : [flag, value]));
  return ["node", script, ...args].map(shellQuote).join(" ");
}

/**
 * @param {object} args
 * @param {RunBatchOptions} args.options with absolute local paths
 * @param {string} args.batchId
 * @param {string | null} args.status the last status seen, if any
 * @param {boolean} args.cancelSent
 * @param {string} args.script absolute path of run-batch.mjs
 * @param {Record<string, string | undefined>} args.env
 * @returns {string[]} lines for stderr
 */
export function stopWaitingMessage({ options, batchId, status, cancelSent, script, env }) {
  const notes = [];
  if (status !== null) {
    notes.push(`last seen ${status}`);
  }
  if (cancelSent) {
    notes.push("cancel requested");
  }
  const state = notes.length === 0 ? "" : ` (${notes.join(", ")})`;
  // The key itself is never printed, except the local stack's documented one.
  const isLocalKey = options.apiKey === LOCAL_API_KEY && options.baseUrl === DEFAULT_BASE_URL;
  const keyFromEnv = options.apiKey === env.OPENAI_API_KEY;
  const bearer = keyFromEnv ? "$OPENAI_API_KEY" : isLocalKey ? LOCAL_API_KEY : "<your API key>";
  return [
    `run-batch: stopped waiting for ${batchId}${state}; it goes on on the server.`,
    "run-batch: to write its output later, run:",
    `  ${resumeCommand(options, batchId, script)}`,
    ...(keyFromEnv || isLocalKey
      ? []
      : ["  (with OPENAI_API_KEY set, or --api-key added: the key is not repeated here)"]),
    `run-batch: its status: curl -H "Authorization: Bearer ${bearer}" ${options.baseUrl}/batches/${batchId}`,
  ];
}
