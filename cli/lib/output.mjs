/**
 * Builds the local result file(s) from the server's output and error files: every line in input
 * order (matched by custom_id), so position and custom_id both work, whatever order the server
 * used. Only byte positions are kept in memory; lines are copied from disk one by one.
 */
import { open } from "node:fs/promises";
import { isPlainObject, parseLine, readLines } from "./jsonl.mjs";

const FLUSH_BYTES = 256 * 1024;
/** Error codes of result lines the batch never ran, because it was stopped first. */
const NOT_RUN_CODES = new Set(["batch_cancelled", "batch_expired"]);

/**
 * @typedef {object} ResultSource
 * @property {string} path a downloaded output or error file
 * @property {"success" | "error"} kind
 */

/**
 * @typedef {object} MergeReport
 * @property {number} succeeded lines taken from output files
 * @property {number} failed lines taken from error files
 * @property {string[]} missing custom_ids with no result line, in input order
 * @property {number} unmatched result lines whose custom_id is not in the input (appended last)
 * @property {number} notRun error lines saying the batch stopped before running the request
 */

/**
 * @param {object} args
 * @param {Map<string, number>} args.order custom_id → input position
 * @param {ResultSource[]} args.sources
 * @param {string} args.outputPath
 * @param {string | null} [args.errorPath] when set, error lines go here instead of the output
 * @returns {Promise<MergeReport>}
 */
export async function mergeResults({ order, sources, outputPath, errorPath = null }) {
  /** @type {Array<{ source: number, offset: number, length: number } | undefined>} */
  const slots = new Array(order.size);
  /** @type {Array<{ source: number, offset: number, length: number }>} */
  const extra = [];
  let notRun = 0;
  for (const [source, { path }] of sources.entries()) {
    for await (const line of readLines(path)) {
      const parsed = parseLine(line.text);
      if (parsed === null) {
        continue;
      }
      const result = parsed.ok && isPlainObject(parsed.value) ? parsed.value : {};
      const customId = result.custom_id;
      if (isPlainObject(result.error) && NOT_RUN_CODES.has(String(result.error.code))) {
        notRun += 1;
      }
      const index = typeof customId === "string" ? order.get(customId) : undefined;
      const entry = { source, offset: line.offset, length: line.length };
      if (index === undefined || slots[index] !== undefined) {
        extra.push(entry);
      } else {
        slots[index] = entry;
      }
    }
  }

  const readers = await Promise.all(sources.map((s) => open(s.path, "r")));
  const output = new BufferedFile(await open(outputPath, "w"));
  const errors = errorPath === null ? output : new BufferedFile(await open(errorPath, "w"));
  const report = {
    succeeded: 0,
    failed: 0,
    missing: /** @type {string[]} */ ([]),
    unmatched: extra.length,
    notRun,
  };
  try {
    const ids = [...order.keys()];
    const copy = async (/** @type {{ source: number, offset: number, length: number }} */ entry) => {
      const buf = Buffer.allocUnsafe(entry.length);
      await /** @type {import("node:fs/promises").FileHandle} */ (readers[entry.source]).read(
        buf,
        0,
        entry.length,
        entry.offset,
      );
      const isError = /** @type {ResultSource} */ (sources[entry.source]).kind === "error";
      if (isError) {
        report.failed += 1;
      } else {
        report.succeeded += 1;
      }
      await (isError ? errors : output).writeLine(buf);
    };
    for (const [index, entry] of slots.entries()) {
      if (entry === undefined) {
        report.missing.push(/** @type {string} */ (ids[index]));
      } else {
        await copy(entry);
      }
    }
    for (const entry of extra) {
      await copy(entry);
    }
  } finally {
    await output.close();
    if (errors !== output) {
      await errors.close();
    }
    await Promise.all(readers.map((r) => r.close()));
  }
  return report;
}

/** Batches small line writes into large ones; a FileHandle write per line is slow. */
class BufferedFile {
  /** @param {import("node:fs/promises").FileHandle} handle */
  constructor(handle) {
    this.handle = handle;
    /** @type {Buffer[]} */
    this.parts = [];
    this.size = 0;
  }

  /** @param {Buffer} line */
  async writeLine(line) {
    this.parts.push(line, Buffer.from("\n"));
    this.size += line.length + 1;
    if (this.size >= FLUSH_BYTES) {
      await this.flush();
    }
  }

  async flush() {
    if (this.size > 0) {
      await this.handle.write(Buffer.concat(this.parts, this.size));
      this.parts = [];
      this.size = 0;
    }
  }

  async close() {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }
}
