import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app/deps";
import { admin } from "../helpers/admin";
import { call } from "../helpers/api";
import {
  CHAT_MODEL,
  chatLine,
  createBatch,
  jsonl,
  startBatchExpiringIn,
  uploadJsonl,
  waitForBatch,
} from "../helpers/batches";
import { PROJECT_A, PROJECT_B } from "../helpers/projects";

const deps = () => createDeps(env);

async function enqueued(projectId: string): Promise<number> {
  return (await deps().tokenReservations.inUse(projectId)).get(CHAT_MODEL) ?? 0;
}

/** The extension field of the project's rate-limit object for the model, through the Admin API. */
async function shownEnqueued(projectId: string): Promise<number | undefined> {
  const res = await admin<{ data: Array<{ model: string; enqueued_input_tokens: number }> }>(
    "GET",
    `/projects/${projectId}/rate_limits?limit=100`,
  );
  return res.body.data.find((limit) => limit.model === CHAT_MODEL)?.enqueued_input_tokens;
}

/** A one-chunk file of slow lines, and its estimated input tokens (its bytes up to the last line's end, / 4). */
function slowFile(tag: string, count = 4, latencyMs = 400) {
  const content = jsonl(
    Array.from({ length: count }, (_, i) => chatLine(`${tag}-${i}`, `[sim:latency=${latencyMs}] ${i}`)),
  );
  return { content, tokens: Math.ceil((content.length - 1) / 4) };
}

describe("enqueued token quota (batch_1_day_max_input_tokens)", () => {
  it("reserves a batch's estimated tokens at validation and releases them when it completes", async () => {
    const file = slowFile("done");
    const batch = await createBatch(await uploadJsonl(file.content));
    await waitForBatch(batch.id, (b) => b.status === "in_progress");
    expect(await enqueued(PROJECT_A.id)).toBe(file.tokens);
    expect(await shownEnqueued(PROJECT_A.id)).toBe(file.tokens);
    expect((await waitForBatch(batch.id)).status).toBe("completed");
    expect(await enqueued(PROJECT_A.id)).toBe(0);
    expect(await shownEnqueued(PROJECT_A.id)).toBe(0);
  });

  it("releases the reservation when the batch is cancelled", async () => {
    const file = slowFile("cancel", 40, 500);
    const batch = await createBatch(await uploadJsonl(file.content));
    await waitForBatch(batch.id, (b) => b.status === "in_progress");
    expect(await enqueued(PROJECT_A.id)).toBe(file.tokens);
    expect((await call("POST", `/v1/batches/${batch.id}/cancel`)).status).toBe(200);
    expect((await waitForBatch(batch.id)).status).toBe("cancelled");
    expect(await enqueued(PROJECT_A.id)).toBe(0);
  });

  it("releases the reservation when the batch expires", async () => {
    const content = jsonl([chatLine("late", "[sim:latency=3000] still running at the deadline")]);
    const batch = await startBatchExpiringIn(2, await uploadJsonl(content));
    await waitForBatch(batch.id, (b) => b.status === "in_progress");
    expect(await enqueued(PROJECT_A.id)).toBe(Math.ceil((content.length - 1) / 4));
    expect((await waitForBatch(batch.id, undefined, 20_000)).status).toBe("expired");
    expect(await enqueued(PROJECT_A.id)).toBe(0);
  });

  it("fails a batch over the limit with OpenAI's token_limit_exceeded, and admits it after a release", async () => {
    const file = slowFile("over", 8, 0);
    const limit = Math.floor(file.tokens * 1.5);
    await deps().rateLimits.upsert(PROJECT_B.id, CHAT_MODEL, { batch1DayMaxInputTokens: limit }, 0);
    // another live batch of the project holds more than half of the limit
    const held = { batchId: "batch_other_live", projectId: PROJECT_B.id, model: CHAT_MODEL, now: 0, limit };
    expect(await deps().tokenReservations.reserve({ ...held, tokens: file.tokens })).toBe(true);

    const refused = await createBatch(await uploadJsonl(file.content, PROJECT_B.key), {}, PROJECT_B.key);
    const failed = await waitForBatch(refused.id, undefined, undefined, PROJECT_B.key);
    expect(failed.status).toBe("failed");
    expect(failed.errors?.data).toEqual([
      {
        code: "token_limit_exceeded",
        message:
          `Enqueued token limit reached for ${CHAT_MODEL} in project ${PROJECT_B.id}. Limit: ${limit} enqueued tokens. ` +
          "Please try again once some in_progress batches have been completed.",
        param: null,
        line: null,
      },
    ]);
    expect(await enqueued(PROJECT_B.id)).toBe(file.tokens);

    await deps().tokenReservations.release(held.batchId);
    const admitted = await createBatch(await uploadJsonl(file.content, PROJECT_B.key), {}, PROJECT_B.key);
    expect((await waitForBatch(admitted.id, undefined, undefined, PROJECT_B.key)).status).toBe("completed");
    expect(await enqueued(PROJECT_B.id)).toBe(0);
  });

  it("holds nothing for a batch that fails validation", async () => {
    const content = jsonl([chatLine("ok", "fine"), { ...chatLine("wrong-url", "x"), url: "/v1/embeddings" }]);
    const batch = await createBatch(await uploadJsonl(content));
    expect((await waitForBatch(batch.id)).status).toBe("failed");
    expect(await enqueued(PROJECT_A.id)).toBe(0);
  });
});
