/**
 * Line-by-line reading of JSONL files with each line's byte position, so callers can stream
 * files of any size and come back to a line later without keeping it in memory.
 */
import { createReadStream } from "node:fs";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * @typedef {object} Line
 * @property {number} number 1-based line number
 * @property {string} text the line without its line ending
 * @property {number} offset byte offset of the line in the file
 * @property {number} length byte length of the line, line ending excluded
 */

/**
 * Yields every line of a file, blank ones included so that numbering matches the server's. A
 * final line without a newline is yielded too; an empty tail after the last newline is not. A UTF-8
 * BOM at the start of the file is not part of line 1, as on the server (editors on Windows add one).
 * @param {string} path
 * @returns {AsyncGenerator<Line>}
 */
export async function* readLines(path) {
  /** @type {Buffer[]} */
  let pending = [];
  let pendingStart = 0;
  let position = 0;
  let number = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const buf = /** @type {Buffer} */ (chunk);
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      const bytes =
        pending.length === 0 ? buf.subarray(start, nl) : Buffer.concat([...pending, buf.subarray(start, nl)]);
      const offset = pending.length === 0 ? position + start : pendingStart;
      pending = [];
      number += 1;
      yield toLine(bytes, number, offset);
      start = nl + 1;
    }
    if (start < buf.length) {
      if (pending.length === 0) {
        pendingStart = position + start;
      }
      pending.push(buf.subarray(start));
    }
    position += buf.length;
  }
  if (pending.length > 0) {
    number += 1;
    yield toLine(Buffer.concat(pending), number, pendingStart);
  }
}

/** @param {Buffer} line @param {number} number @param {number} lineOffset @returns {Line} */
function toLine(line, number, lineOffset) {
  const bom = number === 1 && line.subarray(0, BOM.length).equals(BOM) ? BOM.length : 0;
  const bytes = line.subarray(bom);
  const offset = lineOffset + bom;
  const length =
    bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
  return { number, text: bytes.toString("utf8", 0, length), offset, length };
}

/**
 * Parses one JSONL line; null for a blank line.
 * @param {string} text
 * @returns {{ ok: true, value: unknown } | { ok: false } | null}
 */
export function parseLine(text) {
  if (text.trim() === "") {
    return null;
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
export function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
