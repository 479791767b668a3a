import { type ChunkPlan, splitChunk } from "../../domain/jsonl/chunk-planner";
import { readLines } from "../../domain/jsonl/line-reader";
import { parseRequestLine } from "../../domain/jsonl/validate-line";
import { type FileContentStore, R2FileContentStore } from "./file-contents";
import { r2Keys } from "./keys";
import { R2MultipartWriter } from "./multipart-writer";

/**
 * The one owner of a batch's intermediate objects in R2 (`batches/<batch_id>/…`): the result
 * segments chunk runners write, the custom ids validation writes, and their deletion. It also
 * range-reads a chunk's requests from the input file. Finalize reads only what is here, never the
 * input: a batch reaches its end whatever happened to its input file.
 */

export type ChunkRequest = {
  requestIndex: number;
  line: number;
  customId: string;
  body: Record<string, unknown>;
};

/** Streams the custom ids of a batch's requests, in request order, to one object. */
export interface CustomIdWriter {
  write(customId: string): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

export interface BatchWorkStore {
  /** The whole input file as a stream; null when the object is gone. */
  readInput(inputKey: string): Promise<ReadableStream<Uint8Array> | null>;
  /** The validated requests of one chunk of the input file; null when the input object is gone. */
  readChunk(inputKey: string, chunk: ChunkPlan): Promise<ChunkRequest[] | null>;
  /** Writes one flush of result lines and returns the segment's key, which the ledger records. */
  writeSegment(batchId: string, chunk: number, lines: string[]): Promise<string>;
  /** The lines of a segment written by `writeSegment`. */
  readSegment(key: string): Promise<string[]>;
  customIdWriter(batchId: string): CustomIdWriter;
  /** The batch's custom ids in request order; empty when none were written. */
  readCustomIds(batchId: string): AsyncGenerator<string>;
  /** Deletes every intermediate object of the batch. */
  deleteBatch(batchId: string): Promise<void>;
}

const encoder = new TextEncoder();

export class R2BatchWorkStore implements BatchWorkStore {
  // input files are read through the file store: a file completed from upload parts has no object
  // at its key, only a manifest of parts
  constructor(
    private readonly bucket: R2Bucket,
    private readonly inputs: FileContentStore = new R2FileContentStore(bucket),
  ) {}

  async readInput(inputKey: string): Promise<ReadableStream<Uint8Array> | null> {
    return (await this.inputs.readKey(inputKey))?.body ?? null;
  }

  async readChunk(inputKey: string, chunk: ChunkPlan): Promise<ChunkRequest[] | null> {
    const content = await this.inputs.readKey(inputKey, {
      offset: chunk.byteStart,
      length: chunk.byteEnd - chunk.byteStart,
    });
    if (!content) {
      return null;
    }
    const bytes = new Uint8Array(await new Response(content.body).arrayBuffer());
    return splitChunk(bytes, chunk).map((request) => {
      const parsed = parseRequestLine(request.text);
      return {
        requestIndex: request.requestIndex,
        line: request.line,
        customId: parsed.customId,
        body: parsed.body,
      };
    });
  }

  async writeSegment(batchId: string, chunk: number, lines: string[]): Promise<string> {
    const segment = `${Date.now().toString(36)}-${crypto.randomUUID()}`;
    const key = r2Keys.chunkSegment(batchId, chunk, segment);
    await this.bucket.put(key, lines.join("\n"));
    return key;
  }

  async readSegment(key: string): Promise<string[]> {
    const object = await this.bucket.get(key);
    if (!object) {
      throw new Error(`missing result segment ${key}`);
    }
    return (await object.text()).split("\n");
  }

  customIdWriter(batchId: string): CustomIdWriter {
    const writer = new R2MultipartWriter(this.bucket, r2Keys.customIds(batchId));
    return {
      // one JSON string a line: a custom id may hold a newline
      write: (customId) => writer.write(encoder.encode(`${JSON.stringify(customId)}\n`)),
      close: async () => {
        await writer.close();
      },
      abort: () => writer.abort(),
    };
  }

  async *readCustomIds(batchId: string): AsyncGenerator<string> {
    const object = await this.bucket.get(r2Keys.customIds(batchId));
    if (!object) {
      return;
    }
    for await (const raw of readLines(object.body, { maxLineBytes: Number.MAX_SAFE_INTEGER })) {
      yield raw.kind === "text" ? (JSON.parse(raw.text) as string) : "";
    }
  }

  async deleteBatch(batchId: string): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix: r2Keys.batchPrefix(batchId), cursor });
      if (page.objects.length > 0) {
        await this.bucket.delete(page.objects.map((object) => object.key));
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
}
