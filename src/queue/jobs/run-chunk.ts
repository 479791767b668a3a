import type { Deps } from "../../app/deps";
import { errorTypeForStatus, httpErrorLine, nonHttpErrorLine, successLine } from "../../domain/batch-line";
import type { ProjectId } from "../../domain/ids";
import type { ChunkPlan } from "../../domain/jsonl/chunk-planner";
import type { LineRecord } from "../../durable/coordinator-types";
import type { FlowInfo } from "../../inference/fair-share";
import { type LineOutcome, runLine } from "../../inference/line-runner";
import type { BatchEndpoint, ModelCatalogue, ResolvedModel } from "../../inference/types";
import type { ChunkRequest } from "../../storage/r2/batch-work";

/** Lines of one chunk that run at once; the per-model rate limiter paces them further. */
const LINE_CONCURRENCY = 8;
/**
 * A finished line is written out and counted at most this long after it finished, so counts stay
 * current and an expiry or a crash finds it recorded; a full buffer of FLUSH_LINES goes at once.
 */
const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_LINES = 32;
/** How often a runner with nothing to flush renews its lease (a third of LEASE_MS). */
const HEARTBEAT_MS = 10_000;
/** Between flushes, how often a runner asks whether the batch was cancelled or expired. */
const STOP_CHECK_MS = 500;

type Finished = { requestIndex: number; text: string; record: Omit<LineRecord, "position"> };

/**
 * Buffers finished lines and writes them as one R2 segment plus one coordinator call per flush.
 * Flushes are serialized, so each segment's positions are stable.
 */
class ResultFlusher {
  private pending: Finished[] = [];
  private chain: Promise<void> = Promise.resolve();
  private lastFlush = Date.now();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failure: unknown = null;
  private chunkComplete = false;
  proceed = true;

  constructor(
    private readonly deps: Deps,
    private readonly batchId: string,
    private readonly chunk: number,
  ) {}

  /** Asks the coordinator whether to go on, unless a flush just answered that. */
  async checkStop(): Promise<void> {
    if (this.proceed && Date.now() - this.lastFlush >= STOP_CHECK_MS) {
      this.proceed &&= await this.deps.coordinators.get(this.batchId).mayProceed();
    }
  }

  add(finished: Finished): void {
    this.pending.push(finished);
    const sinceFlush = Date.now() - this.lastFlush;
    if (this.pending.length >= FLUSH_LINES || sinceFlush >= FLUSH_INTERVAL_MS) {
      void this.flush(false);
    } else {
      this.timer ??= setTimeout(() => void this.flush(false), FLUSH_INTERVAL_MS - sinceFlush);
    }
  }

  /** Queues a flush. A failed write stops the runner; its lines were never recorded, so they run again. */
  flush(final: boolean): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const lines = this.pending;
    this.pending = [];
    this.lastFlush = Date.now();
    this.chain = this.chain.then(async () => {
      if (this.failure !== null) {
        return;
      }
      try {
        await this.write(lines, final);
      } catch (err) {
        this.failure = err;
        this.proceed = false;
      }
    });
    return this.chain.then(() => {
      if (final && this.failure !== null) {
        throw this.failure;
      }
    });
  }

  private async write(lines: Finished[], final: boolean): Promise<void> {
    if (lines.length === 0 && this.chunkComplete) {
      // the last flush already completed the chunk: nothing to record, no lease left to release
      return;
    }
    const key =
      lines.length > 0
        ? await this.deps.batchWork.writeSegment(
            this.batchId,
            this.chunk,
            lines.map((line) => line.text),
          )
        : "";
    const result = await this.deps.coordinators.get(this.batchId).recordLines(
      this.chunk,
      key,
      lines.map((line, position) => ({ ...line.record, position })),
      final,
    );
    this.proceed &&= result.proceed;
    this.chunkComplete ||= result.chunkComplete;
  }
}

function lineFor(request: ChunkRequest, outcome: Exclude<LineOutcome, { kind: "aborted" }>): Finished {
  if (outcome.kind === "success") {
    const usage = outcome.usage;
    return {
      requestIndex: request.requestIndex,
      text: successLine(request.customId, outcome.body),
      record: {
        requestIndex: request.requestIndex,
        outcome: "completed",
        usage: {
          input: usage.inputTokens,
          output: usage.outputTokens,
          cached: usage.cachedTokens,
          reasoning: usage.reasoningTokens,
        },
      },
    };
  }
  const text =
    outcome.status === 408
      ? nonHttpErrorLine(request.customId, "request_timeout", {
          upstream_code: outcome.code,
          upstream_message: outcome.message,
          attempts: outcome.attempts,
        })
      : httpErrorLine(request.customId, outcome.status, {
          message: outcome.message,
          type: errorTypeForStatus(outcome.status),
          param: null,
          code: outcome.code,
          attempts: outcome.attempts,
        });
  return {
    requestIndex: request.requestIndex,
    text,
    record: { requestIndex: request.requestIndex, outcome: "failed", usage: null },
  };
}

function modelNotFound(request: ChunkRequest, model: unknown): Finished {
  return lineFor(request, {
    kind: "error",
    status: 400,
    code: "model_not_found",
    message: `The model '${String(model ?? "")}' is not available.`,
    transient: false,
    attempts: 0,
  });
}

async function runRequests(
  deps: Deps,
  requests: ChunkRequest[],
  context: {
    endpoint: BatchEndpoint;
    baseModel: string | null;
    deadlineMs: number;
    catalogue: ModelCatalogue;
    flowFor: (model: ResolvedModel) => FlowInfo;
  },
  flusher: ResultFlusher,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length && flusher.proceed && Date.now() < context.deadlineMs) {
      const request = requests[next++] as ChunkRequest;
      const requested = typeof request.body.model === "string" ? request.body.model : undefined;
      const model = context.catalogue.resolve(requested, context.baseModel);
      if (!model) {
        flusher.add(modelNotFound(request, requested));
        continue;
      }
      const outcome = await runLine(deps.inference, deps.rateLimiter, {
        request: { endpoint: context.endpoint, body: request.body, model },
        deadlineMs: context.deadlineMs,
        flow: context.flowFor(model),
      });
      // only a line that finished before the deadline counts (OpenAI's expiry rule); one stopped
      // by it or finishing after it stays unrecorded, and finalize writes it as batch_expired
      if (outcome.kind !== "aborted" && Date.now() <= context.deadlineMs) {
        flusher.add(lineFor(request, outcome));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LINE_CONCURRENCY, requests.length) }, worker));
}

/**
 * Who the chunk's calls are for, per model: the batch, its project's weight and its project's
 * `max_requests_per_1_minute` for the model (capping its share of the pool), if an operator set one.
 */
async function flowsOf(
  deps: Deps,
  batchId: string,
  lease: { projectId: ProjectId; deadlineMs: number; remaining: number },
): Promise<(model: ResolvedModel) => FlowInfo> {
  const overrides = await deps.rateLimits.list(lease.projectId).catch(() => []);
  const caps = new Map(overrides.map((o) => [o.model, o.maxRequestsPer1Minute]));
  const base = {
    projectId: lease.projectId,
    batchId,
    deadlineMs: lease.deadlineMs,
    remaining: lease.remaining,
    weight: deps.config.projectWeights[lease.projectId] ?? 1,
  };
  return (model) => ({ ...base, capRpm: caps.get(model.id) ?? null });
}

/**
 * Runs one chunk: takes a lease from the coordinator, range-reads the chunk, sends each line not
 * already in the ledger to the model, and records results as they finish. Safe to run again after
 * a crash or a redelivery: recorded lines are skipped, and a second runner is refused the lease.
 */
export async function runChunk(deps: Deps, batchId: string, spec: ChunkPlan): Promise<void> {
  const coordinator = deps.coordinators.get(batchId);
  const lease = await coordinator.beginChunk(spec.index);
  if (!lease.run) {
    return;
  }
  const flusher = new ResultFlusher(deps, batchId, spec.index);
  const chunkRequests = await deps.batchWork.readChunk(lease.inputKey, lease.chunk).catch(async (err) => {
    await flusher.flush(true);
    throw err;
  });
  if (chunkRequests === null) {
    // the input's bytes are kept while a live batch needs them, so this is damage from outside:
    // give the lease back (a cancel or the expiry then ends the batch at once) and let the
    // coordinator's watchdog try again later
    console.error(JSON.stringify({ msg: "chunk input is gone", batchId, chunk: spec.index }));
    await flusher.flush(true);
    return;
  }
  const done = new Set(lease.doneRequests);
  const requests = chunkRequests.filter((request) => !done.has(request.requestIndex));
  const catalogue = await deps.inference.catalogue();
  const flowFor = await flowsOf(deps, batchId, lease);
  const heartbeat = setInterval(() => void flusher.flush(false), HEARTBEAT_MS);
  const stopCheck = setInterval(() => void flusher.checkStop().catch(() => undefined), STOP_CHECK_MS);
  try {
    await runRequests(
      deps,
      requests,
      {
        endpoint: lease.endpoint as BatchEndpoint,
        baseModel: lease.baseModel,
        deadlineMs: lease.deadlineMs,
        catalogue,
        flowFor,
      },
      flusher,
    );
  } catch (err) {
    // keep what finished before the failure and give the lease back: the redelivered message
    // runs only the rest, at once
    await flusher.flush(true);
    throw err;
  } finally {
    clearInterval(heartbeat);
    clearInterval(stopCheck);
    // hand the limiter the successes it has not heard about yet, so the model's rate keeps adapting
    await deps.rateLimiter.flush();
  }
  await flusher.flush(true);
}
