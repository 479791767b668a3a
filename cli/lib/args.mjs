/**
 * Command-line parsing for `run-batch`: flags, environment defaults and every usage check that
 * can be made before touching the network. Pure: takes argv and env, returns options or throws.
 */
import { parseArgs } from "node:util";
import { usageError } from "./errors.mjs";

export const DEFAULT_BASE_URL = "http://127.0.0.1:8787/v1";
/** The documented key of the local stack (`npm start`); never a secret. */
export const LOCAL_API_KEY = "sk-local-batch-api-key";

export const HELP = `Usage: run-batch -i INPUT -o OUTPUT [--model MODEL] [options]

Runs a whole OpenAI-format batch (JSONL of {custom_id, method, url, body}) against an
OpenAI-compatible Batch API: upload, create, follow progress, download the results.

Options:
  -i, --input-file PATH|URL   input JSONL; a local path or an http(s) URL fetched with GET
  -o, --output-file PATH|URL  output JSONL; a local path or an http(s) URL uploaded with PUT
      --output-tmp-dir DIR    where the output is staged before a PUT upload (default: OS temp dir)
      --error-file PATH|URL   write failed lines here; the output then holds successes only
                              (default: every line in the output, in input order)
      --model MODEL           base model; fills body.model where a line leaves it empty
      --endpoint PATH         batch endpoint, e.g. /v1/chat/completions (default: the lines' url)
      --base-url URL          API base URL (default: $OPENAI_BASE_URL, else ${DEFAULT_BASE_URL})
      --api-key KEY           API key (default: $OPENAI_API_KEY; the local stack's key for the
                              default base URL)
      --metadata KEY=VALUE    batch metadata; repeatable, at most 16 pairs
      --webhook-url URL       ask the server to POST batch events to this URL
      --completion-window W   completion window (default: 24h)
      --poll-interval SECONDS seconds between status checks (default: 2)
      --detach                create the batch, print its id and exit
      --batch-id ID           follow a batch created earlier instead of creating one, and write
                              its output (-i is still read, to put the results in input order)
  -h, --help                  show this help
      --version               print the version

Relative paths start from the folder the command is run in, also through 'npm run run-batch'.

Exit codes: 0 every line succeeded, 1 some lines failed, 2 usage or input error (an unknown
--model included), 3 the batch failed, expired or was cancelled, 4 network or authentication error.
Ctrl-C cancels the batch and still writes the partial output (if every line had already started,
the batch completes and the exit code says how its lines did); a second Ctrl-C stops waiting and
prints the command that writes the output later.`;

const OPTIONS = /** @type {const} */ ({
  "input-file": { type: "string", short: "i" },
  "output-file": { type: "string", short: "o" },
  "output-tmp-dir": { type: "string" },
  "error-file": { type: "string" },
  model: { type: "string" },
  endpoint: { type: "string" },
  "base-url": { type: "string" },
  "api-key": { type: "string" },
  metadata: { type: "string", multiple: true },
  "webhook-url": { type: "string" },
  "completion-window": { type: "string" },
  "poll-interval": { type: "string" },
  detach: { type: "boolean" },
  "batch-id": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
});

const MAX_METADATA_PAIRS = 16;
const MAX_METADATA_KEY = 64;
const MAX_METADATA_VALUE = 512;

/**
 * @typedef {object} RunBatchOptions
 * @property {string} inputFile
 * @property {string | null} outputFile null only with --detach
 * @property {string | null} outputTmpDir
 * @property {string | null} errorFile
 * @property {string | null} model
 * @property {string | null} endpoint
 * @property {string} baseUrl without a trailing slash
 * @property {string} apiKey
 * @property {Record<string, string> | null} metadata
 * @property {string | null} webhookUrl
 * @property {string} completionWindow
 * @property {number} pollIntervalMs
 * @property {boolean} detach
 * @property {string | null} batchId an existing batch to follow instead of creating one
 */

/** @param {string} value */
export function isHttpUrl(value) {
  return /^https?:\/\//i.test(value);
}

/**
 * @param {string[]} argv the arguments after the script name
 * @param {Record<string, string | undefined>} env
 * @returns {{ kind: "help" } | { kind: "version" } | { kind: "run", options: RunBatchOptions }}
 */
export function parseCliArgs(argv, env) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    throw usageError(`${describeParseError(err)}\nRun 'run-batch --help' for usage.`);
  }
  const v = parsed.values;
  if (v.help) {
    return { kind: "help" };
  }
  if (v.version) {
    return { kind: "version" };
  }

  const inputFile = nonEmpty(v["input-file"], "--input-file");
  const outputFile = v["output-file"] === undefined ? null : nonEmpty(v["output-file"], "--output-file");
  if (inputFile === null) {
    throw usageError("missing --input-file (-i): the JSONL of requests to run.");
  }
  if (outputFile === null && !v.detach) {
    throw usageError("missing --output-file (-o): where to write the results (or pass --detach).");
  }

  const baseUrl = (v["base-url"] ?? (env.OPENAI_BASE_URL || DEFAULT_BASE_URL)).replace(/\/+$/, "");
  if (!isHttpUrl(baseUrl) || !URL.canParse(baseUrl)) {
    throw usageError(`--base-url must be an http(s) URL, got '${baseUrl}'.`);
  }
  const apiKey = v["api-key"] ?? (env.OPENAI_API_KEY || (baseUrl === DEFAULT_BASE_URL ? LOCAL_API_KEY : ""));
  if (!apiKey) {
    throw usageError(`no API key for ${baseUrl}: pass --api-key or set OPENAI_API_KEY.`);
  }

  const endpoint = v.endpoint === undefined ? null : nonEmpty(v.endpoint, "--endpoint");
  if (endpoint !== null && !endpoint.startsWith("/")) {
    throw usageError(`--endpoint must be a path such as /v1/chat/completions, got '${endpoint}'.`);
  }
  const webhookUrl = v["webhook-url"] ?? null;
  if (webhookUrl !== null && (!isHttpUrl(webhookUrl) || !URL.canParse(webhookUrl))) {
    throw usageError(`--webhook-url must be an http(s) URL, got '${webhookUrl}'.`);
  }
  const batchId = v["batch-id"] === undefined ? null : nonEmpty(v["batch-id"], "--batch-id");
  if (batchId !== null && v.detach) {
    throw usageError("--batch-id follows a batch that exists; --detach has nothing to create.");
  }
  const completionWindow = v["completion-window"] ?? "24h";
  if (completionWindow.trim() === "") {
    throw usageError("--completion-window must not be empty.");
  }

  return {
    kind: "run",
    options: {
      inputFile,
      outputFile,
      outputTmpDir: v["output-tmp-dir"] ?? null,
      errorFile: v["error-file"] === undefined ? null : nonEmpty(v["error-file"], "--error-file"),
      model: v.model === undefined ? null : nonEmpty(v.model, "--model"),
      endpoint,
      baseUrl,
      apiKey,
      metadata: parseMetadata(v.metadata ?? []),
      webhookUrl,
      completionWindow,
      pollIntervalMs: parsePollInterval(v["poll-interval"]),
      detach: v.detach ?? false,
      batchId,
    },
  };
}

/** @param {unknown} err */
function describeParseError(err) {
  const message = err instanceof Error ? err.message : String(err);
  const code = /** @type {{ code?: string }} */ (err).code;
  // Node's text for these goes on to explain `--` positionals, which only confuses here.
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return message.split(". ")[0] ?? message;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const arg = /'([^']*)'/.exec(message)?.[1];
    return arg === undefined ? message : `unexpected argument '${arg}' (every value belongs to a flag)`;
  }
  return message;
}

/** @param {string | undefined} value @param {string} flag @returns {string | null} */
function nonEmpty(value, flag) {
  if (value === undefined) {
    return null;
  }
  if (value.trim() === "") {
    throw usageError(`${flag} must not be empty.`);
  }
  return value;
}

/** @param {string[]} pairs @returns {Record<string, string> | null} */
export function parseMetadata(pairs) {
  if (pairs.length === 0) {
    return null;
  }
  /** @type {Record<string, string>} */
  const metadata = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw usageError(`--metadata expects KEY=VALUE, got '${pair}'.`);
    }
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key.length > MAX_METADATA_KEY) {
      throw usageError(`--metadata key '${key}' is longer than ${MAX_METADATA_KEY} characters.`);
    }
    if (value.length > MAX_METADATA_VALUE) {
      throw usageError(`--metadata value for '${key}' is longer than ${MAX_METADATA_VALUE} characters.`);
    }
    metadata[key] = value;
  }
  if (Object.keys(metadata).length > MAX_METADATA_PAIRS) {
    throw usageError(`--metadata takes at most ${MAX_METADATA_PAIRS} pairs.`);
  }
  return metadata;
}

/** @param {string | undefined} raw @returns {number} milliseconds */
function parsePollInterval(raw) {
  if (raw === undefined) {
    return 2000;
  }
  const seconds = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw usageError(`--poll-interval must be a positive number of seconds, got '${raw}'.`);
  }
  return Math.max(50, Math.round(seconds * 1000));
}
