/**
 * Streams bytes of unknown total length into one R2 object with flat memory: at most two part
 * buffers, taken from a per-isolate pool and given back when the writer ends.
 *
 * R2 (and Miniflare) require every non-final part of a multipart upload to have the same size, at
 * least 5 MiB, so writes are cut into fixed `partSize` parts. Nothing is visible in the bucket until
 * `close()`; an object that fits in one part is written with a single `put`. Use it for any file
 * whose length is not known up front (uploads, batch output and error files):
 *
 *   const writer = new R2MultipartWriter(bucket, r2Keys.fileContent(fileId));
 *   try { for await (const chunk of source) await writer.write(chunk); const { bytes } = await writer.close(); }
 *   catch (err) { await writer.abort(); throw err; }
 */

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** What the services need from a writer; `R2MultipartWriter` is the implementation. */
export interface FileWriter {
  readonly bytesWritten: number;
  /** Resolves once the chunk is buffered or uploaded: await it for backpressure. */
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the object. `parts` is the number of R2 parts (1 for a single put). */
  close(): Promise<{ bytes: number; parts: number }>;
  /** Discards everything written; a no-op after `close()` or a previous `abort()`. */
  abort(): Promise<void>;
}

/**
 * Part buffers shared by the writers of one isolate. A writer per request that allocated its own
 * 8 MiB buffer would leave one more 8 MiB of garbage per request until the engine's next full GC,
 * so parallel part uploads held many; a writer takes a buffer here and gives it back once R2 has
 * acknowledged it. At most `maxIdle` buffers per size are kept. Only the bytes a writer filled are
 * ever sent, so a reused buffer's old contents never leave it.
 */
export class PartBufferPool {
  private readonly idle = new Map<number, Uint8Array[]>();

  constructor(readonly maxIdle: number) {}

  take(size: number): Uint8Array {
    return this.idle.get(size)?.pop() ?? new Uint8Array(size);
  }

  give(buffer: Uint8Array): void {
    const idle = this.idle.get(buffer.length) ?? [];
    // a buffer held twice would be filled by two writers at once
    if (buffer.length > 0 && idle.length < this.maxIdle && !idle.includes(buffer)) {
      idle.push(buffer);
      this.idle.set(buffer.length, idle);
    }
  }

  /** Idle buffers of `size` (for tests). */
  idleCount(size: number): number {
    return this.idle.get(size)?.length ?? 0;
  }
}

// module state on purpose: an isolate-lifetime cache. Two idle buffers (16 MiB of 8 MiB parts)
// measured the same peaks as four in `npm run bench:upload`, and hold half the memory between uploads
const sharedPool = new PartBufferPool(2);

export type MultipartWriterOptions = {
  partSize?: number;
  /** Where part buffers come from and go back to; the isolate's shared pool by default. */
  bufferPool?: PartBufferPool;
  httpMetadata?: R2HTTPMetadata;
  customMetadata?: Record<string, string>;
};

export class R2MultipartWriter implements FileWriter {
  private readonly partSize: number;
  private readonly pool: PartBufferPool;
  private buffer: Uint8Array | null = null;
  // the buffer of the part in flight, reused once R2 has acknowledged it
  private spare: Uint8Array | null = null;
  private filled = 0;
  private total = 0;
  private upload: R2MultipartUpload | null = null;
  private readonly parts: R2UploadedPart[] = [];
  private inFlight: Promise<void> | null = null;
  private state: "open" | "closed" | "aborted" = "open";

  constructor(
    private readonly bucket: R2Bucket,
    readonly key: string,
    private readonly options: MultipartWriterOptions = {},
  ) {
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.pool = options.bufferPool ?? sharedPool;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new RangeError(`partSize must be an integer of at least ${MIN_PART_SIZE} bytes`);
    }
  }

  get bytesWritten(): number {
    return this.total;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.assertOpen();
    let offset = 0;
    while (offset < chunk.length) {
      // a full buffer is only uploaded once more bytes arrive, so an object of exactly one part
      // still becomes a single put
      if (this.filled === this.partSize) {
        await this.flushPart();
      }
      this.buffer ??= this.pool.take(this.partSize);
      const n = Math.min(chunk.length - offset, this.partSize - this.filled);
      this.buffer.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      this.total += n;
      offset += n;
    }
  }

  async close(): Promise<{ bytes: number; parts: number }> {
    this.assertOpen();
    const rest = this.buffer ? this.buffer.subarray(0, this.filled) : new Uint8Array(0);
    if (!this.upload) {
      await this.bucket.put(this.key, rest, {
        httpMetadata: this.options.httpMetadata,
        customMetadata: this.options.customMetadata,
      });
      this.finish("closed");
      return { bytes: this.total, parts: 1 };
    }
    if (this.filled > 0) {
      await this.flushPart();
    }
    await this.settle();
    await this.upload.complete(this.parts);
    const parts = this.parts.length;
    this.finish("closed");
    return { bytes: this.total, parts };
  }

  async abort(): Promise<void> {
    if (this.state !== "open") {
      return;
    }
    const upload = this.upload;
    const inFlight = this.inFlight;
    this.finish("aborted");
    await inFlight?.catch(() => undefined);
    await upload?.abort();
  }

  /**
   * Starts uploading the full buffer and hands back the other one. At most one part is in flight,
   * so reading the next part overlaps the upload and memory stays at two part buffers.
   */
  private async flushPart(): Promise<void> {
    const buffer = this.buffer;
    if (!buffer) {
      return;
    }
    await this.settle();
    this.upload ??= await this.bucket.createMultipartUpload(this.key, {
      httpMetadata: this.options.httpMetadata,
      customMetadata: this.options.customMetadata,
    });
    const index = this.parts.length;
    const partNumber = index + 1;
    this.parts.length = partNumber;
    this.inFlight = this.upload.uploadPart(partNumber, buffer.subarray(0, this.filled)).then((part) => {
      this.parts[index] = part;
      // acknowledged: the next part's buffer, or back to the pool once this writer is done
      if (this.state === "open" && !this.spare) {
        this.spare = buffer;
      } else {
        this.pool.give(buffer);
      }
    });
    // a failure surfaces at the next settle(); this only stops it being reported as unhandled
    this.inFlight.catch(() => undefined);
    this.buffer = this.spare;
    this.spare = null;
    this.filled = 0;
  }

  private async settle(): Promise<void> {
    const inFlight = this.inFlight;
    this.inFlight = null;
    await inFlight;
  }

  /** Ends the writer; its buffers go back to the pool (one still in flight goes once acknowledged). */
  private finish(state: "closed" | "aborted"): void {
    this.state = state;
    for (const buffer of [this.buffer, this.spare]) {
      if (buffer) {
        this.pool.give(buffer);
      }
    }
    this.buffer = null;
    this.spare = null;
    this.upload = null;
    this.inFlight = null;
  }

  private assertOpen(): void {
    if (this.state !== "open") {
      throw new Error(`R2MultipartWriter for ${this.key} is already ${this.state}`);
    }
  }
}
