import type { Deps } from "../app/deps";
import { type NonHttpErrorCode, nonHttpErrorLine } from "../domain/batch-line";
import { type FileId, newId } from "../domain/ids";
import type { ChunkPlan } from "../domain/jsonl/chunk-planner";
import { nowSeconds } from "../domain/time";
import type { FileContentStore } from "../storage/r2/file-contents";
import type { FileWriter } from "../storage/r2/multipart-writer";
import type { CoordinatorState } from "./batch-state";
import type { LedgerLine } from "./coordinator-types";

export type FinalizeInput = {
  state: CoordinatorState;
  chunks: ChunkPlan[];
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
/**
 * Finalize hands the event loop back this often: awaiting buffered writes only runs microtasks, so
 * without it a large batch would hold its Durable Object (and, in local dev, the whole isolate) for
 * seconds, and status reads would wait for the files.
 */
const YIELD_EVERY_LINES = 256;
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Writes one output file lazily: no object and no file row unless a line is written. */
class LazyFile {
  private writer: FileWriter | null = null;
  lines = 0;

  constructor(
    private readonly contents: FileContentStore,
    readonly fileId: string,
  ) {}

  async write(line: string): Promise<void> {
    this.writer ??= this.contents.createWriter(this.fileId as FileId);
    this.lines++;
    await this.writer.write(encoder.encode(`${line}\n`));
  }

  async close(): Promise<number | null> {
    return this.writer ? (await this.writer.close()).bytes : null;
  }
}

/**
 * Builds the output and error files by walking every chunk in input order: recorded lines come
 * from their result segments; lines that never ran become `batch_cancelled` / `batch_expired`
 * error lines, named by the custom ids validation stored. It never reads the input file. Memory is
 * bounded by one chunk's results.
 */
export async function finalizeBatch(deps: Deps, input: FinalizeInput): Promise<FinalizeResult> {
  const { state } = input;
  const outputFileId = state.plannedOutputFileId ?? newId("file");
  const errorFileId = state.plannedErrorFileId ?? newId("file");
  if (state.plannedOutputFileId === null || state.plannedErrorFileId === null) {
    input.plan(outputFileId, errorFileId);
  }
  const output = new LazyFile(deps.fileContents, outputFileId);
  const errors = new LazyFile(deps.fileContents, errorFileId);
  const unfinishedCode: NonHttpErrorCode = state.stop === "cancel" ? "batch_cancelled" : "batch_expired";
  // read in step with the walk below, one id per request, so memory stays flat
  const customIds = deps.batchWork.readCustomIds(state.batch.id);

  for (const chunk of input.chunks) {
    const recorded = new Map(input.linesOf(chunk.index).map((line) => [line.request_index, line]));
    const segments = new Map<string, string[]>();
    for (const key of new Set([...recorded.values()].map((line) => line.segment))) {
      segments.set(key, await deps.batchWork.readSegment(key));
    }
    for (let index = chunk.firstRequest; index < chunk.firstRequest + chunk.requestCount; index++) {
      if (index % YIELD_EVERY_LINES === 0) {
        await yieldToEventLoop();
      }
      const customId = (await customIds.next()).value ?? "";
      const line = recorded.get(index);
      if (line) {
        const text = segments.get(line.segment)?.[line.position];
        if (text === undefined) {
          throw new Error(`segment ${line.segment} has no line ${line.position}`);
        }
        await (line.outcome === "completed" ? output : errors).write(text);
      } else {
        await errors.write(nonHttpErrorLine(customId, unfinishedCode));
      }
    }
  }
  await customIds.return(undefined);

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
