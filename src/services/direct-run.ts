import { countingRateLimiter } from "../app/binding-metrics";
import type { Deps } from "../app/deps";
import { successLine } from "../domain/batch-line";
import { LineSplitter, type RawLine } from "../domain/jsonl/line-reader";
import { parseRequestLine } from "../domain/jsonl/validate-line";
import { unlimitedRateLimiter } from "../inference/limiter-client";
import { runLine } from "../inference/line-runner";
import type { BatchEndpoint } from "../inference/types";

export type DirectRunResult = {
  lines: number;
  succeeded: number;
  failed: number;
  concurrency: number;
  elapsedMs: number;
  outputBytes: number;
};

async function* requestLines(body: ReadableStream<Uint8Array>): AsyncGenerator<RawLine> {
  const splitter = new LineSplitter({ skipBom: true });
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      yield* splitter.end();
      return;
    }
    yield* splitter.push(value);
  }
}

/**
 * The benchmark's baseline (`npm run bench:batch`): JSONL batch lines sent straight to the
 * inference provider in this isolate, `concurrency` at a time, through the same `runLine` (model
 * resolution, request translation, the simulator, response translation, retries) and serialized
 * as output lines, which are then dropped. No queue, R2, D1 or Durable Object is touched, and the
 * rate limiter is the no-op one: the difference to a real batch is the pipeline's overhead.
 */
export async function directRun(
  deps: Deps,
  body: ReadableStream<Uint8Array>,
  options: { endpoint: BatchEndpoint; concurrency: number },
): Promise<DirectRunResult> {
  const started = Date.now();
  const catalogue = await deps.inference.catalogue();
  const limiter = countingRateLimiter(unlimitedRateLimiter);
  const lines = requestLines(body);
  const result = { lines: 0, succeeded: 0, failed: 0, outputBytes: 0 };
  const worker = async (): Promise<void> => {
    // concurrent next() calls on one async generator are queued, so each line goes to one worker
    for (let item = await lines.next(); !item.done; item = await lines.next()) {
      const raw = item.value;
      result.lines++;
      const request = raw.kind === "text" ? parseRequestLine(raw.text) : null;
      const requested = typeof request?.body.model === "string" ? request.body.model : undefined;
      const model = request ? catalogue.resolve(requested, null) : null;
      if (!request || !model) {
        result.failed++;
        continue;
      }
      const outcome = await runLine(deps.inference, limiter, {
        request: { endpoint: options.endpoint, body: request.body, model },
        deadlineMs: Number.MAX_SAFE_INTEGER,
      });
      if (outcome.kind === "success") {
        result.succeeded++;
        result.outputBytes += successLine(request.customId, outcome.body).length + 1;
      } else {
        result.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { ...result, concurrency: options.concurrency, elapsedMs: Date.now() - started };
}
