/**
 * Pre-flight check of a batch input, streamed line by line: everything cheap to catch locally is
 * reported with its line number before anything is uploaded. It also fills `body.model` (and `url`)
 * from the flags into a copy, so the uploaded file is exactly what the server will run.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { usageError } from "./errors.mjs";
import { isPlainObject, parseLine, readLines } from "./jsonl.mjs";

const MAX_REPORTED_ISSUES = 20;

/**
 * @typedef {object} InputPlan
 * @property {number} requests number of request lines
 * @property {string} endpoint the one `url` of every line (or --endpoint)
 * @property {Map<string, number>} order custom_id → position among the requests (0-based)
 * @property {number} filled lines whose model or url was filled in
 * @property {string} uploadPath the file to upload: the input itself, or the filled copy
 */

/**
 * @param {string} path local JSONL file
 * @param {{ model: string | null, endpoint: string | null, rewritePath: string, label?: string }} options
 *   rewritePath: where the filled copy goes when a line needs filling; label: the input's name in messages
 * @returns {Promise<InputPlan>}
 */
export async function checkInput(path, { model, endpoint, rewritePath, label = path }) {
  /** @type {string[]} */
  const issues = [];
  /** @type {Map<string, number>} custom_id → line number, for naming both lines of a duplicate */
  const firstLine = new Map();
  /** @type {Map<string, number>} */
  const order = new Map();
  /** @type {{ url: string, line: number } | null} */
  let firstUrl = null;
  let filled = 0;
  const mayFill = model !== null || endpoint !== null;
  const copy = mayFill ? createWriteStream(rewritePath) : null;

  try {
    for await (const line of readLines(path)) {
      const parsed = parseLine(line.text);
      if (parsed === null) {
        await write(copy, `${line.text}\n`);
        continue;
      }
      const at = `line ${line.number}`;
      if (!parsed.ok) {
        issues.push(`${at}: not valid JSON`);
        continue;
      }
      const request = parsed.value;
      if (!isPlainObject(request)) {
        issues.push(`${at}: not a JSON object`);
        continue;
      }
      let changed = false;

      const customId = request.custom_id;
      if (customId === undefined || customId === null) {
        issues.push(`${at}: missing 'custom_id'`);
      } else if (typeof customId !== "string") {
        issues.push(`${at}: 'custom_id' must be a string`);
      } else if (customId === "") {
        issues.push(`${at}: 'custom_id' must not be empty`);
      } else if (firstLine.has(customId)) {
        issues.push(
          `${at}: duplicate custom_id '${customId}' (first used on line ${firstLine.get(customId)})`,
        );
      } else {
        firstLine.set(customId, line.number);
        order.set(customId, order.size);
      }

      if (request.url === undefined && endpoint !== null) {
        request.url = endpoint;
        changed = true;
      }
      const url = request.url;
      if (url === undefined) {
        issues.push(`${at}: missing 'url' (or pass --endpoint)`);
      } else if (typeof url !== "string") {
        issues.push(`${at}: 'url' must be a string`);
      } else if (endpoint !== null && url !== endpoint) {
        issues.push(`${at}: url '${url}' does not match --endpoint '${endpoint}'`);
      } else if (firstUrl === null) {
        firstUrl = { url, line: line.number };
      } else if (url !== firstUrl.url) {
        issues.push(
          `${at}: url '${url}' differs from '${firstUrl.url}' on line ${firstUrl.line} (a batch has one endpoint)`,
        );
      }

      const body = request.body;
      if (!isPlainObject(body)) {
        issues.push(`${at}: 'body' must be a JSON object`);
      } else if (body.model === undefined || body.model === null || body.model === "") {
        if (model === null) {
          issues.push(`${at}: body.model is empty; pass --model to set the base model`);
        } else {
          body.model = model;
          changed = true;
        }
      }

      if (changed) {
        filled += 1;
      }
      if (issues.length === 0) {
        await write(copy, changed ? `${JSON.stringify(request)}\n` : `${line.text}\n`);
      }
    }
  } finally {
    if (copy) {
      copy.end();
      await finished(copy);
    }
  }

  if (issues.length === 0 && order.size === 0) {
    issues.push("the input has no requests");
  }
  if (issues.length > 0) {
    if (copy) {
      await rm(rewritePath, { force: true });
    }
    const shown = issues.slice(0, MAX_REPORTED_ISSUES);
    if (issues.length > shown.length) {
      shown.push(`… and ${issues.length - shown.length} more`);
    }
    const noun = issues.length === 1 ? "problem" : "problems";
    throw usageError(`${label}: ${issues.length} ${noun} in the input; nothing was uploaded.`, shown);
  }
  if (copy && filled === 0) {
    await rm(rewritePath, { force: true });
  }
  return {
    requests: order.size,
    endpoint: /** @type {{ url: string }} */ (firstUrl).url,
    order,
    filled,
    uploadPath: filled > 0 ? rewritePath : path,
  };
}

/** @param {import("node:fs").WriteStream | null} stream @param {string} text */
async function write(stream, text) {
  if (stream && !stream.write(text)) {
    await once(stream, "drain");
  }
}
