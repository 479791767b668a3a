import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { createDeps } from "../../src/app/deps";
import type { BatchParams } from "../../src/domain/batch-params";
import { newId } from "../../src/domain/ids";
import type { ChunkPlan } from "../../src/domain/jsonl/chunk-planner";
import { nowSeconds } from "../../src/domain/time";
import type { Coordinator, LineRecord } from "../../src/durable/coordinator-types";
import type { Batch } from "../../src/schemas/batch";
import { newBatchObject } from "../../src/services/batches";
import { TERMINAL } from "./batches";
import { PROJECT_A } from "./projects";

// The coordinator driven through its RPCs and alarms alone: the queue is intercepted, so no runner
// or validator races the test, and every step a runner or the validate job would take is an RPC.

export type Sent = { kind: string; chunk?: ChunkPlan };

export function interceptQueue(): Sent[] {
  const sent: Sent[] = [];
  vi.spyOn(env.BATCH_QUEUE, "sendBatch").mockImplementation(async (messages) => {
    sent.push(...[...messages].map((message) => message.body as Sent));
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
  });
  return sent;
}

export const deps = () => createDeps(env);

/** Two chunks of two requests; custom ids written as the validate job writes them. */
export const PLAN: ChunkPlan[] = [0, 1].map((index) => ({
  index,
  byteStart: index * 100,
  byteEnd: index * 100 + 90,
  firstLine: index * 2 + 1,
  firstRequest: index * 2,
  requestCount: 2,
}));

export async function startBatch(options: { expiresInSeconds?: number; model?: string } = {}) {
  const id = newId("batch");
  const createdAt = nowSeconds();
  const batch = newBatchObject(
    id,
    {
      input_file_id: "file-unused",
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      model: options.model,
    },
    createdAt,
    options.expiresInSeconds ?? 86400,
  );
  const params: BatchParams = {
    projectId: PROJECT_A.id,
    inputKey: `inputs/${id}`,
    baseModel: options.model ?? null,
    outputExpiresAfterSeconds: 3600,
    webhookUrl: null,
  };
  await deps().batches.insert(PROJECT_A.id, batch, params);
  const coordinator = deps().coordinators.get(id);
  await coordinator.init(batch, params);
  const ids = deps().batchWork.customIdWriter(id);
  for (const customId of ["a", "b", "c", "d"]) {
    await ids.write(customId);
  }
  await ids.close();
  return { id, coordinator };
}

/** Runs the due alarm (the runtime may already have run it) and waits for the batch to end. */
export async function settle(batchId: string, coordinator: Coordinator): Promise<Batch> {
  await runDurableObjectAlarm(env.BATCH_COORDINATOR.get(env.BATCH_COORDINATOR.idFromName(batchId)));
  let batch: Batch | null = null;
  await vi.waitUntil(
    async () => {
      batch = await coordinator.snapshot();
      return batch !== null && TERMINAL.includes(batch.status);
    },
    { timeout: 10_000, interval: 20 },
  );
  return batch as unknown as Batch;
}

/** What a runner does for one finished line: write its segment, then record it. */
export async function recordLine(
  coordinator: Coordinator,
  batchId: string,
  chunk: number,
  requestIndex: number,
  final: boolean,
) {
  const text = JSON.stringify({
    custom_id: "abcd"[requestIndex],
    response: { status_code: 200 },
    error: null,
  });
  const segment = await deps().batchWork.writeSegment(batchId, chunk, [text]);
  const line: LineRecord = {
    requestIndex,
    outcome: "completed",
    position: 0,
    usage: { input: 3, output: 5, cached: 0, reasoning: 0 },
  };
  return coordinator.recordLines(chunk, segment, [line], final);
}
