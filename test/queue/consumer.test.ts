import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app/deps";
import { backoffSeconds, processQueueBatch } from "../../src/queue/consumer";
import { fakeCoordinators } from "../helpers/coordinators";

describe("processQueueBatch", () => {
  it("acks malformed messages, which no retry can fix", async () => {
    const batch = createMessageBatch("batch-work", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { kind: "nonsense" } },
      { id: "m2", timestamp: new Date(), attempts: 1, body: "not even an object" },
      {
        id: "m3",
        timestamp: new Date(),
        attempts: 1,
        body: { kind: "run_chunk", batchId: "batch_x", chunk: { index: -1 } },
      },
    ]);
    const ctx = createExecutionContext();
    await processQueueBatch(batch, createDeps(env));
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2", "m3"]);
    expect(result.retryMessages).toEqual([]);
  });

  it("retries a failing job and still acks the healthy ones, without throwing", async () => {
    const failing = fakeCoordinators((batchId) => ({
      beginValidation: async () => {
        if (batchId === "batch_broken") {
          throw new Error("coordinator unreachable");
        }
        return { run: false };
      },
    }));
    const batch = createMessageBatch("batch-work", [
      {
        id: "ok",
        timestamp: new Date(),
        attempts: 1,
        body: { kind: "validate_batch", batchId: "batch_fine" },
      },
      {
        id: "bad",
        timestamp: new Date(),
        attempts: 3,
        body: { kind: "validate_batch", batchId: "batch_broken" },
      },
    ]);
    const ctx = createExecutionContext();
    await expect(
      processQueueBatch(batch, createDeps(env, { coordinators: failing })),
    ).resolves.toBeUndefined();
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["ok"]);
    expect(result.retryMessages.map((message: { msgId: string }) => message.msgId)).toEqual(["bad"]);
  });
});

describe("backoffSeconds", () => {
  it("doubles per attempt and caps at five minutes", () => {
    expect([1, 2, 3, 4, 8, 9, 20].map(backoffSeconds)).toEqual([2, 4, 8, 16, 256, 300, 300]);
  });
});
