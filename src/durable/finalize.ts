import type { Deps } from "../app/deps";
import { type NonHttpErrorCode, nonHttpErrorLine } from "../domain/batch-line";
import { newId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { readChunkRequests } from "../queue/jobs/chunk-input";
import { r2Keys } from "../storage/r2/keys";
import { R2MultipartWriter } from "../storage/r2/multipart-writer";
import type { CoordinatorState } from "./batch-state";
import type { ChunkSpec } from "./coordinator-types";

type LedgerLine = { request_index: number; outcome: string; segment: string; position: number };

export type FinalizeInput = {
  state: CoordinatorState;
  chunks: ChunkSpec[];
  linesOf: (chunk: number) => LedgerLine[];
  /** Persists the file ids before any byte is written, so a retried finalize reuses them. */
  plan: (outputFileId: string, errorFileId: string) => void;
};

export type FinalizeResult = {
  outputFileId: string | null;
  errorFileId: string | null;
  completed: number;
  failed: number;
};

const encoder = new TextEncoder();

/** Writes one output file lazily: no object and no file row unless a line is written. */
class LazyFile {
  private writer: R2MultipartWriter | null = null;
  lines = 0;

  constructor(
    private readonly bucket: R2Bucket,
    readonly fileId: string,
  ) {}

  async write(line: string): Promise<void> {
    this.writer ??= new R2MultipartWriter(this.bucket, r2Keys.fileContent(this.fileId));
    this.lines++;
    await this.writer.write(encoder.encode(`${line}\n`));
  }

  async close(): Promise<number | null> {
    return this.writer ? (await this.writer.close()).bytes : null;
  }
}

async function readSegments(bucket: R2Bucket, keys: Iterable<string>): Promise<Map<string, string[]>> {
  const texts = new Map<string, string[]>();
  for (const key of keys) {
    const object = await bucket.get(key);
    if (!object) {
      throw new Error(`missing result segment ${key}`);
    }
    texts.set(key, (await object.text()).split("\n"));
  }
  return texts;
}

/**
 * Builds the output and error files by walking every chunk in input order: recorded lines come
 * from their result segments; lines that never ran become `batch_cancelled` / `batch_expired`
 * error lines. Memory is bounded by one chunk's results.
 */
export async function finalizeBatch(deps: Deps, input: FinalizeInput): Promise<FinalizeResult> {
  const { state } = input;
  const outputFileId = state.plannedOutputFileId ?? newId("file");
  const errorFileId = state.plannedErrorFileId ?? newId("file");
  if (state.plannedOutputFileId === null || state.plannedErrorFileId === null) {
    input.plan(outputFileId, errorFileId);
  }
  const bucket = deps.bucket;
  const output = new LazyFile(bucket, outputFileId);
  const errors = new LazyFile(bucket, errorFileId);
  const unfinishedCode: NonHttpErrorCode = state.stop === "cancel" ? "batch_cancelled" : "batch_expired";

  for (const chunk of input.chunks) {
    const recorded = new Map(input.linesOf(chunk.index).map((line) => [line.request_index, line]));
    const segments = await readSegments(bucket, new Set([...recorded.values()].map((line) => line.segment)));
    const customIds =
      recorded.size < chunk.requestCount
        ? await readChunkRequests(bucket, state.params.inputKey, chunk).then(
            (requests) => new Map(requests.map((r) => [r.requestIndex, r.customId])),
          )
        : null;
    for (let index = chunk.firstRequest; index < chunk.firstRequest + chunk.requestCount; index++) {
      const line = recorded.get(index);
      if (line) {
        const text = segments.get(line.segment)?.[line.position];
        if (text === undefined) {
          throw new Error(`segment ${line.segment} has no line ${line.position}`);
        }
        await (line.outcome === "completed" ? output : errors).write(text);
      } else {
        await errors.write(nonHttpErrorLine(customIds?.get(index) ?? "", unfinishedCode));
      }
    }
  }

  const createdAt = nowSeconds();
  const expiresAt = createdAt + state.params.outputExpiresAfterSeconds;
  const result: FinalizeResult = {
    outputFileId: null,
    errorFileId: null,
    completed: output.lines,
    failed: errors.lines,
  };
  for (const [file, suffix] of [
    [output, "output"],
    [errors, "error"],
  ] as const) {
    const bytes = await file.close();
    if (bytes === null) {
      continue;
    }
    await deps.files.registerGenerated({
      id: file.fileId,
      projectId: state.params.projectId,
      filename: `${state.batch.id}_${suffix}.jsonl`,
      purpose: "batch_output",
      bytes,
      createdAt,
      expiresAt,
    });
    if (suffix === "output") {
      result.outputFileId = file.fileId;
    } else {
      result.errorFileId = file.fileId;
    }
  }
  return result;
}

/** Deletes a finalized batch's intermediate chunk results. Best effort: retention sweeps leftovers. */
export async function deleteChunkResults(bucket: R2Bucket, batchId: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: `${r2Keys.batchPrefix(batchId)}chunks/`, cursor });
    if (page.objects.length > 0) {
      await bucket.delete(page.objects.map((object) => object.key));
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}
