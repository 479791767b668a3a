import type { Deps } from "../../app/deps";
import { errorTypeForStatus, httpErrorLine, nonHttpErrorLine, successLine } from "../../domain/batch-line";
import type { ProjectId } from "../../domain/ids";
import type { ChunkPlan } from "../../domain/jsonl/chunk-planner";
import { lineModel } from "../../domain/models";
import type { FlowInfo } from "../../inference/fair-share";
import { type LineOutcome, runLine } from "../../inference/line-runner";
import { affinityKey, inPrefixOrder } from "../../inference/prefix-affinity";
import type { BatchEndpoint, InferenceRequest, ModelCatalogue, ResolvedModel } from "../../inference/types";
import type { ChunkRequest } from "../../storage/r2/batch-work";
import { type Finished, HEARTBEAT_MS, ResultFlusher, STOP_CHECK_MS } from "./result-flusher";
import { submitAsyncLines } from "./submit-async";

/** Lines of one chunk that run at once; the per-model rate limiter paces them further. */
const LINE_CONCURRENCY = 8;
/**
 * While other batches are live, a runner starts new lines for at most this long, then hands the
 * chunk back and the coordinator sends it again at once. A chunk on a busy pool would otherwise
 * hold its queue delivery (and its place in the pool) for minutes, and a delivery ends only when
 * all its chunks do: locally the queue hands out one delivery at a time, so another batch's
 * messages would wait behind it. A lone batch keeps its runners (handing back costs it ~20 % of a
 * rate-limited pool: `npm run bench:batch`, rate-limited run).
 */
const RUN_SLICE_MS = 5_000;

/** Aborts when a slice ends while another batch is waiting or running; re-arms otherwise. */
function sliceTimer(deps: Deps, batchId: string): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cleared = false;
  const arm = () => {
    timer = setTimeout(async () => {
      const others = await deps.batches.hasOtherWaiting(batchId).catch(() => false);
      if (cleared) {
        return;
      }
      if (others) {
        controller.abort();
      } else {
        arm();
      }
    }, RUN_SLICE_MS);
  };
  arm();
  const clear = () => {
    cleared = true;
    clearTimeout(timer);
  };
  return { signal: controller.signal, clear };
}

function lineFor(request: ChunkRequest, outcome: Exclude<LineOutcome, { kind: "aborted" }>): Finished {
  if (outcome.kind === "success") {
    const usage = outcome.usage;
    return {
      requestIndex: request.requestIndex,
      text: successLine(request.customId, outcome.body, undefined, "sync"),
      record: {
        requestIndex: request.requestIndex,
        outcome: "completed",
        execution: "sync",
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
      : httpErrorLine(
          request.customId,
          outcome.status,
          {
            message: outcome.message,
            type: errorTypeForStatus(outcome.status),
            param: null,
            code: outcome.code,
            attempts: outcome.attempts,
          },
          undefined,
          outcome.attempts > 0 ? "sync" : undefined,
        );
  return {
    requestIndex: request.requestIndex,
    text,
    record: {
      requestIndex: request.requestIndex,
      outcome: "failed",
      usage: null,
      ...(outcome.attempts > 0 ? { execution: "sync" as const } : {}),
    },
  };
}

/** With `WORKERS_AI_ASYNC=only`, a line the async queue cannot take fails instead of running synchronously. */
function asyncUnavailable(request: ChunkRequest): Finished {
  return lineFor(request, {
    kind: "error",
    status: 400,
    code: "async_unavailable",
    message:
      "This deployment runs lines only on Workers AI's async batch queue (WORKERS_AI_ASYNC=only), and this line's model or parameters do not fit it.",
    transient: false,
    attempts: 0,
  });
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

/** A line with its model resolved and its prefix-cache key, worked out once per runner. */
type PreparedLine = {
  request: ChunkRequest;
  requested: string | undefined;
  inference: InferenceRequest | null;
};

async function prepare(
  requests: ChunkRequest[],
  catalogue: ModelCatalogue,
  baseModel: string | null,
  endpoint: BatchEndpoint,
): Promise<PreparedLine[]> {
  return Promise.all(
    requests.map(async (request) => {
      const { requested, model } = lineModel(catalogue, request.body, baseModel);
      if (!model) {
        return { request, requested, inference: null };
      }
      const inference = { endpoint, body: request.body, model };
      return { request, requested, inference: { ...inference, affinityKey: await affinityKey(inference) } };
    }),
  );
}

async function runRequests(
  deps: Deps,
  lines: PreparedLine[],
  context: {
    deadlineMs: number;
    flowFor: (model: ResolvedModel) => FlowInfo;
    /** Aborts when the runner's slice is over: no new line starts, waiting ones give up. */
    slice: AbortSignal;
  },
  flusher: ResultFlusher,
): Promise<boolean> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (
      next < lines.length &&
      flusher.proceed &&
      !context.slice.aborted &&
      Date.now() < context.deadlineMs
    ) {
      const { request, requested, inference } = lines[next++] as PreparedLine;
      if (!inference) {
        flusher.add(modelNotFound(request, requested));
        continue;
      }
      const outcome = await runLine(deps.inference, deps.rateLimiter, {
        request: inference,
        deadlineMs: context.deadlineMs,
        stop: context.slice,
        flow: context.flowFor(inference.model),
      });
      // only a line that finished before the deadline counts (OpenAI's expiry rule); one stopped
      // by it or finishing after it stays unrecorded, and finalize writes it as batch_expired
      if (outcome.kind !== "aborted" && Date.now() <= context.deadlineMs) {
        flusher.add(lineFor(request, outcome));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LINE_CONCURRENCY, lines.length) }, worker));
  // lines stopped by the slice's end are not recorded: the next runner runs them
  return !context.slice.aborted || next >= lines.length;
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
  const skip = new Set([...lease.doneRequests, ...lease.awaitingAsync]);
  const catalogue = await deps.inference.catalogue();
  const endpoint = lease.endpoint as BatchEndpoint;
  const unrun = chunkRequests.filter((request) => !skip.has(request.requestIndex));
  const submitted = await submitAsyncLines(deps, unrun, {
    batchId,
    chunk: spec.index,
    endpoint,
    baseModel: lease.baseModel,
    catalogue,
    mode: deps.config.asyncMode,
    syncOnly: new Set(lease.syncOnly),
  }).catch(async (err) => {
    await flusher.flush(true);
    throw err;
  });
  let requests = unrun.filter((request) => !submitted.sent.has(request.requestIndex));
  if (deps.config.asyncMode === "only") {
    for (const request of requests) {
      flusher.add(asyncUnavailable(request));
    }
    requests = [];
  }
  if (submitted.stopped) {
    requests = [];
  }
  // lines that share a prompt prefix run one after another, so Workers AI's prefix cache is warm
  const lines = inPrefixOrder(
    await prepare(requests, catalogue, lease.baseModel, endpoint),
    (line) => line.inference?.affinityKey ?? null,
  );
  const flowFor = await flowsOf(deps, batchId, lease);
  const heartbeat = setInterval(() => void flusher.flush(false), HEARTBEAT_MS);
  const stopCheck = setInterval(() => void flusher.checkStop().catch(() => undefined), STOP_CHECK_MS);
  const slice = sliceTimer(deps, batchId);
  let finished = true;
  try {
    finished = await runRequests(
      deps,
      lines,
      { deadlineMs: lease.deadlineMs, flowFor, slice: slice.signal },
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
    slice.clear();
    // hand the limiter the successes it has not heard about yet, so the model's rate keeps adapting
    await deps.rateLimiter.flush();
  }
  // a chunk handed back at the slice's end is sent again at once, behind whatever queued meanwhile
  await flusher.flush(true, !finished);
}
