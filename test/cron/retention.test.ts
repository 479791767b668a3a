import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CHUNK_SWEEP_DELAY_SECONDS, runRetention } from "../../src/cron/retention";
import { newId } from "../../src/domain/ids";
import type { Batch } from "../../src/schemas/batch";
import { r2Keys } from "../../src/storage/r2/keys";
import { call } from "../helpers/api";
import { chatLine, createBatch, jsonl, uploadJsonl, waitForBatch } from "../helpers/batches";
import { PROJECT_A } from "../helpers/projects";
import { nowSeconds, testDeps, triggerCron } from "../helpers/schedules";

async function expire(fileId: string, secondsAgo = 10): Promise<void> {
  await env.DB.prepare("UPDATE files SET expires_at = ?2 WHERE id = ?1")
    .bind(fileId, nowSeconds() - secondsAgo)
    .run();
}

async function fileRow(fileId: string): Promise<unknown> {
  return env.DB.prepare("SELECT id FROM files WHERE id = ?1").bind(fileId).first();
}

async function newInput(): Promise<string> {
  return uploadJsonl(jsonl([chatLine("r1", "keep me?")]));
}

/** A D1 batch row in `status`, with no coordinator behind it: how the index sees a batch. */
async function batchRow(
  status: Batch["status"],
  inputFileId: string,
  updatedSecondsAgo = 0,
  outputExpiresAfterSeconds = 86400,
): Promise<string> {
  const deps = testDeps();
  const template = await createBatch(inputFileId);
  await waitForBatch(template.id);
  const id = newId("batch");
  const createdAt = nowSeconds() - updatedSecondsAgo;
  await deps.batches.insert(
    PROJECT_A.id,
    { ...template, id, status, created_at: createdAt },
    {
      projectId: PROJECT_A.id,
      inputKey: r2Keys.fileContent(inputFileId),
      baseModel: null,
      outputExpiresAfterSeconds,
      webhookUrl: null,
    },
  );
  return id;
}

async function putChunkResult(batchId: string): Promise<string> {
  const key = r2Keys.chunkSegment(batchId, 0, "seg-1");
  await env.FILES_BUCKET.put(key, '{"custom_id":"r1"}\n');
  return key;
}

describe("scheduled(): retention", { timeout: 40_000 }, () => {
  it("deletes an expired file: gone from list, retrieve and content, then from R2 and D1", async () => {
    const fileId = await newInput();
    const kept = await newInput();
    await expire(fileId);

    // readers stop serving it at once, before any sweep
    expect((await call("GET", `/v1/files/${fileId}`)).status).toBe(404);
    expect((await call("GET", `/v1/files/${fileId}/content`)).status).toBe(404);
    const list = await call<{ data: Array<{ id: string }> }>("GET", "/v1/files?purpose=batch");
    expect(list.body.data.map((file) => file.id)).not.toContain(fileId);
    expect(list.body.data.map((file) => file.id)).toContain(kept);
    expect(await env.FILES_BUCKET.head(r2Keys.fileContent(fileId))).not.toBeNull();

    await triggerCron();
    expect(await env.FILES_BUCKET.head(r2Keys.fileContent(fileId))).toBeNull();
    expect(await fileRow(fileId)).toBeNull();
    expect(await env.FILES_BUCKET.head(r2Keys.fileContent(kept))).not.toBeNull();
    expect((await call("GET", `/v1/files/${kept}`)).status).toBe(200);
  });

  it("keeps the expired input of a live batch until the batch ends", async () => {
    const fileId = await newInput();
    const live = await batchRow("in_progress", fileId);
    await expire(fileId);
    await triggerCron();
    expect(await fileRow(fileId)).not.toBeNull();
    expect(await env.FILES_BUCKET.head(r2Keys.fileContent(fileId))).not.toBeNull();

    await env.DB.prepare("UPDATE batches SET status = 'completed' WHERE id = ?1").bind(live).run();
    await triggerCron();
    expect(await fileRow(fileId)).toBeNull();
  });

  it("sweeps the intermediate results of a terminal batch once its output expired, and only those", async () => {
    const input = await newInput();
    const ended = await batchRow("completed", input, CHUNK_SWEEP_DELAY_SECONDS + 60, 600);
    const justEnded = await batchRow("completed", input, 30, 0);
    const outputLive = await batchRow("completed", input, CHUNK_SWEEP_DELAY_SECONDS + 60, 86400);
    const live = await batchRow("in_progress", input, CHUNK_SWEEP_DELAY_SECONDS + 60, 0);
    const keys = {
      ended: await putChunkResult(ended),
      justEnded: await putChunkResult(justEnded),
      outputLive: await putChunkResult(outputLive),
      live: await putChunkResult(live),
    };
    await triggerCron();
    expect(await env.FILES_BUCKET.head(keys.ended)).toBeNull();
    // a runner may still be writing for a batch that ended a moment ago
    expect(await env.FILES_BUCKET.head(keys.justEnded)).not.toBeNull();
    // GET /v1/batches/{id}/results reads them while the output files live
    expect(await env.FILES_BUCKET.head(keys.outputLive)).not.toBeNull();
    expect(await env.FILES_BUCKET.head(keys.live)).not.toBeNull();
    const swept = await env.DB.prepare("SELECT chunks_swept_at FROM batches WHERE id = ?1")
      .bind(ended)
      .first<{ chunks_swept_at: number | null }>();
    expect(swept?.chunks_swept_at).not.toBeNull();
  });
});

describe("runRetention", { timeout: 40_000 }, () => {
  it("deletes a bounded number of files per run and resumes on the next", async () => {
    const ids = [await newInput(), await newInput(), await newInput(), await newInput(), await newInput()];
    for (const id of ids) {
      await expire(id, 100);
    }
    const limits = { maxFiles: 2, filePage: 2, maxBatches: 0 };
    const first = await runRetention(testDeps(), { now: Date.now(), limits });
    expect(first.filesDeleted).toBe(2);
    const remaining = async () => (await Promise.all(ids.map(fileRow))).filter((row) => row !== null).length;
    expect(await remaining()).toBe(3);
    await runRetention(testDeps(), { now: Date.now(), limits });
    await runRetention(testDeps(), { now: Date.now(), limits });
    expect(await remaining()).toBe(0);
    for (const id of ids) {
      expect(await env.FILES_BUCKET.head(r2Keys.fileContent(id))).toBeNull();
    }
  });

  it("keeps sweeping files when the chunk sweep fails", async () => {
    const fileId = await newInput();
    await expire(fileId);
    const deps = testDeps();
    const failing = testDeps({
      retention: {
        ...deps.retention,
        listExpiredFiles: deps.retention.listExpiredFiles.bind(deps.retention),
        deleteFiles: deps.retention.deleteFiles.bind(deps.retention),
        markSwept: deps.retention.markSwept.bind(deps.retention),
        listUnsweptBatches: async () => {
          throw new Error("D1 is unavailable");
        },
      },
    });
    const report = await runRetention(failing, { now: Date.now() });
    expect(report.filesDeleted).toBeGreaterThanOrEqual(1);
    expect(await fileRow(fileId)).toBeNull();
  });
});
