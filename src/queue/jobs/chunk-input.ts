import { splitChunk } from "../../domain/jsonl/chunk-planner";
import { parseRequestLine } from "../../domain/jsonl/validate-line";
import type { ChunkSpec } from "../../durable/coordinator-types";

export type ChunkRequest = {
  requestIndex: number;
  line: number;
  customId: string;
  body: Record<string, unknown>;
};

/** Range-reads one chunk of the input file and parses its (already validated) request lines. */
export async function readChunkRequests(
  bucket: R2Bucket,
  inputKey: string,
  chunk: ChunkSpec,
): Promise<ChunkRequest[]> {
  const object = await bucket.get(inputKey, {
    range: { offset: chunk.byteStart, length: chunk.byteEnd - chunk.byteStart },
  });
  if (!object) {
    throw new Error(`input object ${inputKey} is gone`);
  }
  const bytes = new Uint8Array(await object.arrayBuffer());
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
