import { concatBytes } from "../bytes";

/**
 * Splits JSONL bytes into lines with exact byte ranges, streaming: memory is bounded by the longest
 * line (and never more than `maxLineBytes`), not by the file. The same splitter re-splits a chunk's
 * range read, so the validator and the consumer can never disagree on where a line is.
 *
 * A line is the bytes between two LF (0x0A). One trailing CR is not part of its content, so CRLF and
 * LF files read alike. A UTF-8 BOM at byte 0 is not part of line 1. Lines count from 1 and include
 * blank lines (only spaces, tabs and CRs), which are counted but never yielded: the numbers are the
 * ones an editor shows, and a blank line is neither a request nor an error.
 */

export const DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024;

type LineBase = {
  /** 1-based physical line number, blank lines included. */
  line: number;
  /** Byte offset of the line's first content byte (after the BOM on line 1). */
  start: number;
  /** Byte offset just past the content: the terminator (CR)LF is excluded. */
  end: number;
};

export type RawLine =
  | (LineBase & { kind: "text"; text: string })
  /** Not UTF-8, so not JSON (RFC 8259 §8.1). Decoding it leniently would silently change the data. */
  | (LineBase & { kind: "invalid_utf8" })
  /** Longer than `maxLineBytes`; its bytes were counted and dropped, never buffered. */
  | (LineBase & { kind: "too_large" });

export type LineSplitterOptions = {
  maxLineBytes?: number;
  /** Offset of the first byte pushed, and the number of its line: set when splitting a chunk. */
  baseOffset?: number;
  firstLine?: number;
  /** Whether a BOM at the first byte pushed is skipped (only true at the start of a file). */
  skipBom?: boolean;
};

const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf] as const;

/** True when the bytes are only JSON insignificant whitespace that is not a line feed. */
export function isBlank(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== CR) {
      return false;
    }
  }
  return true;
}

/**
 * Push-based line splitter. Each byte is scanned once; a line that fits in one pushed chunk is
 * decoded in place, a line spanning chunks is copied once into a buffer that grows by doubling.
 */
export class LineSplitter {
  private readonly maxLineBytes: number;
  // ignoreBOM keeps a U+FEFF inside the data: the default would strip it from every decode call.
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  private offset: number;
  private line: number;
  private lineStart: number;
  private pending = new Uint8Array(0);
  private pendingLength = 0;
  private skipping = false;
  private lastByte = -1;
  /** Bytes held back until we know whether the file starts with a BOM (a chunk may be 1 byte). */
  private head: Uint8Array | null;

  constructor(options: LineSplitterOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.offset = options.baseOffset ?? 0;
    this.lineStart = this.offset;
    this.line = options.firstLine ?? 1;
    this.head = options.skipBom ? new Uint8Array(0) : null;
  }

  *push(chunk: Uint8Array): Generator<RawLine> {
    if (this.head === null) {
      yield* this.scan(chunk);
      return;
    }
    const head = concatBytes([this.head, chunk]);
    if (head.byteLength < BOM.length && BOM.every((byte, i) => i >= head.byteLength || head[i] === byte)) {
      this.head = head;
      return;
    }
    this.head = null;
    yield* this.scan(this.dropBom(head));
  }

  *end(): Generator<RawLine> {
    if (this.head !== null) {
      const head = this.head;
      this.head = null;
      yield* this.scan(this.dropBom(head));
    }
    if (this.skipping || this.pendingLength > 0) {
      const last = this.finishLine(this.offset);
      if (last) {
        yield last;
      }
    }
  }

  private dropBom(head: Uint8Array): Uint8Array {
    if (BOM.every((byte, i) => head[i] === byte)) {
      this.offset += BOM.length;
      this.lineStart = this.offset;
      return head.subarray(BOM.length);
    }
    return head;
  }

  private *scan(chunk: Uint8Array): Generator<RawLine> {
    let pos = 0;
    while (pos < chunk.byteLength) {
      const lf = chunk.indexOf(LF, pos);
      const stop = lf === -1 ? chunk.byteLength : lf;
      if (lf !== -1 && this.pendingLength === 0 && !this.skipping) {
        const item = this.emit(chunk.subarray(pos, stop));
        if (item) {
          yield item;
        }
      } else {
        this.append(chunk, pos, stop);
        if (lf !== -1) {
          const item = this.finishLine(this.offset + stop);
          if (item) {
            yield item;
          }
        }
      }
      if (lf === -1) {
        break;
      }
      this.line += 1;
      this.lineStart = this.offset + lf + 1;
      pos = lf + 1;
    }
    this.offset += chunk.byteLength;
  }

  private append(chunk: Uint8Array, from: number, to: number): void {
    if (to === from) {
      return;
    }
    this.lastByte = chunk[to - 1] ?? -1;
    if (this.skipping) {
      return;
    }
    const length = this.pendingLength + (to - from);
    // One byte of slack: a line at the limit may still carry the CR of its CRLF.
    if (length > this.maxLineBytes + 1) {
      this.skipping = true;
      this.pendingLength = 0;
      this.pending = new Uint8Array(0);
      return;
    }
    if (length > this.pending.byteLength) {
      const grown = new Uint8Array(
        Math.min(Math.max(length, this.pending.byteLength * 2, 1024), this.maxLineBytes + 1),
      );
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    this.pending.set(chunk.subarray(from, to), this.pendingLength);
    this.pendingLength = length;
  }

  /** Ends the current line at `terminator` (the offset of its LF, or of the end of input). */
  private finishLine(terminator: number): RawLine | null {
    if (this.skipping) {
      this.skipping = false;
      const end = this.lastByte === CR ? terminator - 1 : terminator;
      return { kind: "too_large", line: this.line, start: this.lineStart, end };
    }
    const item = this.emit(this.pending.subarray(0, this.pendingLength));
    this.pendingLength = 0;
    // Keep a small buffer for the next spanning line; let a big one go back to the GC.
    if (this.pending.byteLength > 1024 * 1024) {
      this.pending = new Uint8Array(0);
    }
    return item;
  }

  private emit(bytes: Uint8Array): RawLine | null {
    const content = bytes.at(-1) === CR ? bytes.subarray(0, -1) : bytes;
    const base = { line: this.line, start: this.lineStart, end: this.lineStart + content.byteLength };
    if (content.byteLength > this.maxLineBytes) {
      return { kind: "too_large", ...base };
    }
    if (isBlank(content)) {
      return null;
    }
    try {
      return { kind: "text", ...base, text: this.decoder.decode(content) };
    } catch {
      return { kind: "invalid_utf8", ...base };
    }
  }
}

/**
 * Reads a file's lines from a stream (an R2 object body). Breaking out of the loop cancels the
 * stream, so an early stop does not leave the R2 read open. A stream error propagates.
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  options: { maxLineBytes?: number } = {},
): AsyncGenerator<RawLine> {
  const splitter = new LineSplitter({ maxLineBytes: options.maxLineBytes, skipBom: true });
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      yield* splitter.push(value);
    }
    finished = true;
    yield* splitter.end();
  } finally {
    if (!finished) {
      await reader.cancel().catch(() => undefined);
    }
    reader.releaseLock();
  }
}
