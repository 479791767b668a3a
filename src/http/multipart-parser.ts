/**
 * A streaming `multipart/form-data` parser over a request body. It never holds more than one read
 * chunk plus a delimiter's worth of bytes (or one part's headers): a part the caller streams is
 * handed over chunk by chunk, with backpressure, and small fields are collected as capped text.
 * Malformed input of any kind ends in a `MultipartError` whose message is safe to show a client.
 */

import { concatBytes } from "../domain/bytes";
import { MultipartError, type MultipartPart, parseParams, parsePartHeaders } from "./multipart-headers";
import { DEFAULT_DRAIN_BUDGET, discardRest } from "./request-body";

export { MultipartError, type MultipartPart };

/** Receives one part's bytes. Chunks are views that are never written to again; copy to keep them. */
export type PartSink = { write(chunk: Uint8Array): Promise<void> | void; end?(): Promise<void> | void };

export type MultipartHandlers = {
  /** Return a sink to stream this part's body, or null to collect it as a (capped) text field. */
  onPart(part: MultipartPart): PartSink | null | Promise<PartSink | null>;
  onField?(name: string, value: string): void | Promise<void>;
};

export type MultipartLimits = { maxHeaderBytes: number; maxFieldBytes: number; maxParts: number };

export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = {
  maxHeaderBytes: 16 * 1024,
  maxFieldBytes: 64 * 1024,
  maxParts: 100,
};

const CR = 13;
const LF = 10;
const DASH = 45;
const CRLF = new Uint8Array([CR, LF]);
const HEADER_END = new Uint8Array([CR, LF, CR, LF]);
// RFC 2046 allows linear whitespace between a boundary and its CRLF; more than this is not padding
const MAX_TRANSPORT_PADDING = 64;

/** The `boundary` parameter of a `multipart/form-data` Content-Type. */
export function boundaryFromContentType(contentType: string | null | undefined): string {
  const [type = "", ...params] = (contentType ?? "").split(";");
  if (type.trim().toLowerCase() !== "multipart/form-data") {
    throw new MultipartError("Invalid Content-Type header: expected multipart/form-data.");
  }
  const boundary = parseParams(params.join(";")).get("boundary");
  // RFC 2046: 1 to 70 characters
  if (!boundary || boundary.length > 70) {
    throw new MultipartError("Invalid Content-Type header: multipart/form-data needs a boundary parameter.");
  }
  return boundary;
}

/**
 * Streams `body` through `handlers`; resolves once the closing boundary has been read. On failure
 * the rest of the body is left unread and unlocked: the caller aborts its own work first, then
 * drains it (`drainBody`, ./request-body) so the client gets to read the error.
 */
export async function parseMultipart(
  body: ReadableStream<Uint8Array> | null,
  boundary: string,
  handlers: MultipartHandlers,
  limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS,
): Promise<void> {
  if (!body) {
    throw new MultipartError("The request has no body.");
  }
  const reader = body.getReader();
  const parser = new Parser(boundary, handlers, limits);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        parser.end();
        return;
      }
      if (await parser.push(value)) {
        break;
      }
    }
  } catch (err) {
    reader.releaseLock();
    throw err;
  }
  // the epilogue (normally a CRLF): read it so the client can finish sending
  await discardRest(reader, { maxBytes: limits.maxHeaderBytes, maxMs: DEFAULT_DRAIN_BUDGET.maxMs });
}

type State = "preamble" | "headers" | "body" | "done";
type Delimiter = { kind: "part" | "close"; end: number };
/** Where a delimiter starts, and what follows it (or that more input is needed to tell). */
type Found = { at: number; match: Delimiter | "need-more" };

class Parser {
  private readonly delimiter: Uint8Array;
  // a virtual CRLF lets a boundary on the very first line match the same "\r\n--boundary" delimiter
  private buf: Uint8Array = CRLF;
  private pos = 0;
  private state: State = "preamble";
  private preambleBytes = 0;
  private parts = 0;
  private current: { part: MultipartPart; sink: PartSink | null; field: Uint8Array[]; size: number } | null =
    null;

  constructor(
    boundary: string,
    private readonly handlers: MultipartHandlers,
    private readonly limits: MultipartLimits,
  ) {
    this.delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  }

  /** Consumes one chunk; true once the closing boundary is seen. */
  async push(chunk: Uint8Array): Promise<boolean> {
    this.buf = this.pos < this.buf.length ? concatBytes([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    while (await this.step()) {
      // each step consumed something; keep going until it needs more input
    }
    return this.state === "done";
  }

  end(): void {
    if (this.state !== "done") {
      throw new MultipartError(
        this.state === "preamble"
          ? "The request body does not contain the multipart boundary given in its Content-Type."
          : "The multipart body ended before its closing boundary (the upload was truncated).",
      );
    }
  }

  /** One state transition or one emitted run of bytes; false when more input is needed. */
  private async step(): Promise<boolean> {
    switch (this.state) {
      case "preamble":
        return this.stepPreamble();
      case "headers":
        return this.stepHeaders();
      case "body":
        return this.stepBody();
      case "done":
        return false;
    }
  }

  /** Skips the preamble, which is capped like a header block: it is never legitimately long. */
  private stepPreamble(): boolean {
    const found = this.findDelimiter();
    const keep = found ? this.buf.length - found.at : this.delimiter.length - 1;
    const drop = Math.max(0, this.buf.length - this.pos - keep);
    this.preambleBytes += drop;
    this.pos += drop;
    if (this.preambleBytes > this.limits.maxHeaderBytes) {
      throw new MultipartError(
        "The request body does not contain the multipart boundary given in its Content-Type.",
      );
    }
    return found && found.match !== "need-more" ? this.enter(found.match) : false;
  }

  private async stepHeaders(): Promise<boolean> {
    const end = startsWith(this.buf, this.pos, CRLF) ? this.pos : indexOf(this.buf, HEADER_END, this.pos);
    if (end === -1) {
      if (this.buf.length - this.pos > this.limits.maxHeaderBytes) {
        throw new MultipartError("The headers of a multipart part are too large.");
      }
      return false;
    }
    if (end - this.pos > this.limits.maxHeaderBytes) {
      throw new MultipartError("The headers of a multipart part are too large.");
    }
    const part = parsePartHeaders(new TextDecoder().decode(this.buf.subarray(this.pos, end)));
    this.pos = end === this.pos ? end + 2 : end + 4;
    if (++this.parts > this.limits.maxParts) {
      throw new MultipartError(`A multipart body may have at most ${this.limits.maxParts} parts.`);
    }
    const sink = await this.handlers.onPart(part);
    this.current = { part, sink, field: [], size: 0 };
    this.state = "body";
    return true;
  }

  private async stepBody(): Promise<boolean> {
    const found = this.findDelimiter();
    if (!found) {
      // a tail that could be the start of a delimiter split across chunks is kept for the next
      // push; only a real partial match, so that most chunks are passed on without being copied
      const safeEnd = this.buf.length - this.partialDelimiterAtEnd();
      await this.emit(this.buf.subarray(this.pos, safeEnd));
      this.pos = safeEnd;
      return false;
    }
    await this.emit(this.buf.subarray(this.pos, found.at));
    this.pos = found.at;
    if (found.match === "need-more") {
      return false;
    }
    await this.finishPart();
    return this.enter(found.match);
  }

  /** The next real delimiter at or after pos: "\r\n--boundary" then "--" or padding + CRLF. */
  private findDelimiter(): Found | null {
    let from = this.pos;
    for (;;) {
      const at = indexOf(this.buf, this.delimiter, from);
      if (at === -1) {
        return null;
      }
      const match = this.classify(at + this.delimiter.length);
      if (match !== "no") {
        return { at, match };
      }
      // "\r\n--boundary" followed by anything else is content (e.g. a longer boundary-like string)
      from = at + 1;
    }
  }

  /** The length of the longest tail of buf (after pos) that is a proper prefix of the delimiter. */
  private partialDelimiterAtEnd(): number {
    const buf = this.buf;
    const longest = Math.min(this.delimiter.length - 1, buf.length - this.pos);
    for (let at = buf.length - longest; at < buf.length; at++) {
      if (buf[at] === CR && startsWith(this.delimiter, 0, buf.subarray(at))) {
        return buf.length - at;
      }
    }
    return 0;
  }

  private classify(after: number): Delimiter | "need-more" | "no" {
    const buf = this.buf;
    if (after + 2 > buf.length) {
      return "need-more";
    }
    if (buf[after] === DASH && buf[after + 1] === DASH) {
      return { kind: "close", end: after + 2 };
    }
    let i = after;
    while (i < buf.length && (buf[i] === 32 || buf[i] === 9) && i - after <= MAX_TRANSPORT_PADDING) {
      i++;
    }
    if (i - after > MAX_TRANSPORT_PADDING) {
      return "no";
    }
    if (i + 2 > buf.length) {
      return "need-more";
    }
    return buf[i] === CR && buf[i + 1] === LF ? { kind: "part", end: i + 2 } : "no";
  }

  private enter(match: Delimiter): boolean {
    this.pos = match.end;
    this.state = match.kind === "close" ? "done" : "headers";
    return this.state !== "done";
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    const current = this.current;
    if (!current || bytes.length === 0) {
      return;
    }
    if (current.sink) {
      await current.sink.write(bytes);
      return;
    }
    current.size += bytes.length;
    if (current.size > this.limits.maxFieldBytes) {
      throw new MultipartError(`The form field '${current.part.name}' is too long.`);
    }
    current.field.push(bytes);
  }

  private async finishPart(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (!current) {
      return;
    }
    if (current.sink) {
      await current.sink.end?.();
    } else {
      await this.handlers.onField?.(current.part.name, new TextDecoder().decode(concatBytes(current.field)));
    }
  }
}

function startsWith(haystack: Uint8Array, at: number, needle: Uint8Array): boolean {
  if (at + needle.length > haystack.length) {
    return false;
  }
  for (let i = 0; i < needle.length; i++) {
    if (haystack[at + i] !== needle[i]) {
      return false;
    }
  }
  return true;
}

/** Byte-sequence search: the engine's native indexOf finds each candidate first byte. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  let at = haystack.indexOf(first ?? 0, from);
  while (at !== -1 && at + needle.length <= haystack.length) {
    if (startsWith(haystack, at, needle)) {
      return at;
    }
    at = haystack.indexOf(first ?? 0, at + 1);
  }
  return -1;
}
