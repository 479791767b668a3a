/**
 * Moving files to and from http(s) URLs: the input is streamed to disk with GET, the output is
 * uploaded with PUT and retried with exponential backoff. Neither ever holds a file in memory.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as delay } from "node:timers/promises";
import { CliError, EXIT } from "./errors.mjs";

/** Statuses worth another PUT: the target may accept the same bytes later. */
const RETRYABLE_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

/**
 * Streams a GET of `url` to `dest`. Follows redirects (presigned URLs often redirect).
 * @param {string} url
 * @param {string} dest
 * @returns {Promise<number>} bytes written
 */
export async function downloadToFile(url, dest) {
  let res;
  try {
    res = await fetch(url, { redirect: "follow" });
  } catch (err) {
    throw new CliError(`cannot download ${url}: ${errorText(err)}`, EXIT.network, { cause: err });
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel();
    throw new CliError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`.trim(), EXIT.usage);
  }
  try {
    await pipeline(
      Readable.fromWeb(/** @type {import("node:stream/web").ReadableStream} */ (res.body)),
      createWriteStream(dest),
    );
  } catch (err) {
    throw new CliError(`download of ${url} broke off: ${errorText(err)}`, EXIT.network, { cause: err });
  }
  return (await stat(dest)).size;
}

/**
 * @typedef {object} PutOptions
 * @property {number} [attempts] total attempts, default 5
 * @property {number} [baseDelayMs] delay before the 2nd attempt; doubles each time (default 1000)
 * @property {(ms: number) => Promise<unknown>} [sleep]
 * @property {(info: { attempt: number, reason: string, delayMs: number }) => void} [onRetry]
 */

/**
 * PUTs a local file to `url`; any 2xx is success. Network errors and retryable statuses are
 * retried; other statuses (403 on an expired presigned URL, say) fail at once.
 * @param {string} url
 * @param {string} path
 * @param {PutOptions} [options]
 * @returns {Promise<{ attempts: number, status: number }>}
 */
export async function putFileWithRetries(url, path, options = {}) {
  const attempts = options.attempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const sleep = options.sleep ?? delay;
  let reason = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let retryable = true;
    try {
      const status = await putOnce(url, path);
      if (status >= 200 && status < 300) {
        return { attempts: attempt, status };
      }
      reason = `HTTP ${status}`;
      retryable = RETRYABLE_STATUS.has(status);
    } catch (err) {
      reason = errorText(err);
    }
    if (!retryable || attempt === attempts) {
      break;
    }
    const delayMs = baseDelayMs * 2 ** (attempt - 1);
    options.onRetry?.({ attempt, reason, delayMs });
    await sleep(delayMs);
  }
  throw new CliError(`upload of the output to ${url} failed: ${reason}`, EXIT.network);
}

/** @param {string} url @param {string} path @returns {Promise<number>} the response status */
async function putOnce(url, path) {
  const { size } = await stat(path);
  const target = new URL(url);
  const transport = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      // Content-Length rather than chunked: object stores (S3, R2 presigned URLs) require it.
      { method: "PUT", headers: { "content-length": String(size) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    pipeline(createReadStream(path), req).catch(reject);
  });
}

/** @param {unknown} err */
function errorText(err) {
  if (err instanceof Error) {
    const cause = /** @type {{ cause?: unknown }} */ (err).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
