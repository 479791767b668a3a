import { LineSplitter } from "./line-reader";

/**
 * Cuts a validated input into chunks, the unit of work (ARCHITECTURE.md §4): runs of consecutive
 * requests bounded by a request count and a byte size. A queue message carries a plan, never line
 * bodies; the consumer range-reads [byteStart, byteEnd) from R2 and re-splits it with `splitChunk`.
 */

export type ChunkPlan = {
  /** 0-based position of the chunk in the batch. */
  index: number;
  /** Byte range of the chunk in the input file: the first request's start to the last one's end. */
  byteStart: number;
  /** Exclusive; the last line's terminator is outside the range. */
  byteEnd: number;
  /** 1-based file line of the chunk's first request. */
  firstLine: number;
  /** 0-based batch position of the first request (blank lines excluded): the output order. */
  firstRequest: number;
  /** Requests in the chunk. Blank lines inside the byte range are not requests. */
  requestCount: number;
};

export type ChunkBounds = {
  /** At most this many requests per chunk. */
  maxRequests: number;
  /** At most this many bytes per chunk, unless a single request is larger: it gets its own chunk. */
  maxBytes: number;
};

/**
 * 64 text-generation requests are about 13 s of Workers AI's ~300 requests/minute per account, so a
 * chunk is short next to a consumer's 15-minute wall clock and a lost message delays little work;
 * 50,000 requests make ~780 messages. 1 MiB keeps a chunk's range read and its results small next
 * to the isolate's 128 MB, shared by concurrent consumers.
 */
export const DEFAULT_CHUNK_BOUNDS: ChunkBounds = { maxRequests: 64, maxBytes: 1024 * 1024 };

export type PlannedLine = { line: number; start: number; end: number };

/** Accumulates requests in file order; the plan is only meaningful once every line is valid. */
export class ChunkPlanner {
  private readonly bounds: ChunkBounds;
  private readonly chunks: ChunkPlan[] = [];
  private current: ChunkPlan | null = null;
  private requests = 0;

  constructor(bounds: Partial<ChunkBounds> = {}) {
    this.bounds = { ...DEFAULT_CHUNK_BOUNDS, ...bounds };
    if (this.bounds.maxRequests < 1 || this.bounds.maxBytes < 1) {
      throw new RangeError("Chunk bounds must be positive.");
    }
  }

  add(request: PlannedLine): void {
    const current = this.current;
    if (
      current !== null &&
      current.requestCount < this.bounds.maxRequests &&
      request.end - current.byteStart <= this.bounds.maxBytes
    ) {
      current.byteEnd = request.end;
      current.requestCount += 1;
    } else {
      this.current = {
        index: this.chunks.length,
        byteStart: request.start,
        byteEnd: request.end,
        firstLine: request.line,
        firstRequest: this.requests,
        requestCount: 1,
      };
      this.chunks.push(this.current);
    }
    this.requests += 1;
  }

  finish(): ChunkPlan[] {
    this.current = null;
    return this.chunks;
  }
}

export type ChunkRequest = {
  /** 1-based line in the input file. */
  line: number;
  /** 0-based position in the batch, which fixes the output order. */
  requestIndex: number;
  text: string;
};

export class ChunkMismatchError extends Error {
  override readonly name = "ChunkMismatchError";
}

/**
 * Re-splits the bytes of a chunk's range read into its requests, skipping blank lines exactly as
 * validation did. Throws `ChunkMismatchError` when the bytes do not hold the planned requests (the
 * file changed, or the wrong range was read): a permanent error.
 */
export function splitChunk(bytes: Uint8Array, plan: ChunkPlan): ChunkRequest[] {
  if (bytes.byteLength !== plan.byteEnd - plan.byteStart) {
    throw new ChunkMismatchError(
      `Chunk ${plan.index} should be ${plan.byteEnd - plan.byteStart} bytes, got ${bytes.byteLength}.`,
    );
  }
  // The range was validated, so the line limit only has to admit it.
  const splitter = new LineSplitter({
    baseOffset: plan.byteStart,
    firstLine: plan.firstLine,
    maxLineBytes: Math.max(bytes.byteLength, 1),
  });
  const out: ChunkRequest[] = [];
  for (const raw of [...splitter.push(bytes), ...splitter.end()]) {
    if (raw.kind !== "text") {
      throw new ChunkMismatchError(`Line ${raw.line} of chunk ${plan.index} is not valid UTF-8.`);
    }
    out.push({ line: raw.line, requestIndex: plan.firstRequest + out.length, text: raw.text });
  }
  if (out.length !== plan.requestCount || out[0]?.line !== plan.firstLine) {
    throw new ChunkMismatchError(
      `Chunk ${plan.index} should hold ${plan.requestCount} requests from line ${plan.firstLine}, found ${out.length}.`,
    );
  }
  return out;
}
