import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createDeps } from "../../src/app/deps";
import type { Batch } from "../../src/schemas/batch";
import { call } from "../helpers/api";
import {
  CHAT_MODEL,
  chatLine,
  createBatch,
  getBatch,
  jsonl,
  uploadJsonl,
  waitForBatch,
} from "../helpers/batches";
import { PROJECT_A, PROJECT_B } from "../helpers/projects";

function lines(tag: string, count: number, prefix = ""): string {
  return jsonl(Array.from({ length: count }, (_, i) => chatLine(`${tag}-${i}`, `${prefix}${tag} ${i}`)));
}

describe("a completion window the pool cannot meet (validation)", () => {
  it("fails a batch that clearly cannot finish in its window, saying so and suggesting a longer one", async () => {
    // project B may send 10 requests a minute: 100 lines need 10 minutes, the window is 1
    await createDeps(env).rateLimits.upsert(PROJECT_B.id, CHAT_MODEL, { maxRequestsPer1Minute: 10 }, 0);
    const file = await uploadJsonl(lines("slow", 100), PROJECT_B.key);
    const created = await createBatch(file, { completion_window: "1m" }, PROJECT_B.key);
    const failed = await waitForBatch(created.id, undefined, undefined, PROJECT_B.key);
    expect(failed.status).toBe("failed");
    expect(failed.request_counts).toEqual({ total: 0, completed: 0, failed: 0 });
    expect(failed.errors?.data).toHaveLength(1);
    const [error] = failed.errors?.data ?? [];
    expect(error).toMatchObject({
      code: "completion_window_too_short",
      param: "completion_window",
      line: null,
    });
    expect(error?.message).toMatch(
      /^The batch cannot finish within its completion window: its 100 requests need about 10/,
    );
    expect(error?.message).toContain("Use a longer completion_window (at least '15m')");
  });

  it("runs a small batch with the same short window", async () => {
    const file = await uploadJsonl(lines("quick", 5));
    const created = await createBatch(file, { completion_window: "1m" });
    const done = await waitForBatch(created.id);
    expect(done.status).toBe("completed");
    expect(done.errors).toBeNull();
    expect(done.request_counts).toEqual({ total: 5, completed: 5, failed: 0 });
  });
});

describe("eta on the Batch object", () => {
  it("shows a running batch's pool share and estimated completion, and null once it ends", async () => {
    const file = await uploadJsonl(lines("eta", 24, "[sim:latency=1000] "));
    const created = await createBatch(file);
    const before = Math.floor(Date.now() / 1000);
    const running = await waitForBatch(created.id, (b) => b.status === "in_progress");
    expect(running.eta).toMatchObject({ pool: "task:text-generation" });
    const eta = running.eta as NonNullable<Batch["eta"]>;
    expect(eta.share).toBeGreaterThan(0);
    expect(eta.share).toBeLessThanOrEqual(1);
    expect(eta.remaining).toBe(
      running.request_counts.total - running.request_counts.completed - running.request_counts.failed,
    );
    expect(eta.estimated_completion_at).toBeGreaterThanOrEqual(before);
    // the list reads the D1 mirror, which follows within moments
    let listed: Batch | undefined;
    await vi.waitUntil(
      async () => {
        const list = await call<{ data: Batch[] }>("GET", "/v1/batches?limit=100", { key: PROJECT_A.key });
        listed = list.body.data.find((batch) => batch.id === created.id);
        return listed?.status === "in_progress";
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(listed?.eta).toMatchObject({ pool: "task:text-generation" });
    const done = await waitForBatch(created.id);
    expect(done.status).toBe("completed");
    expect(done.eta).toBeNull();
    expect((await getBatch(created.id)).eta).toBeNull();
  });
});
