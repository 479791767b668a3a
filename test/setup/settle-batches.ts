import { afterAll, vi } from "vitest";
import { call } from "../helpers/api";
import { createdBatches, TERMINAL } from "../helpers/batches";

// A test file's storage and queue go away when it ends; batches still running then make workerd
// report torn-down RPCs. Cancel what is left and wait for it to settle.
afterAll(async () => {
  const live: Array<[string, string]> = [];
  for (const [id, key] of createdBatches) {
    const res = await call<{ status: string }>("POST", `/v1/batches/${id}/cancel`, { key });
    if (res.status === 200 && !TERMINAL.includes(res.body.status)) {
      live.push([id, key]);
    }
  }
  await vi.waitUntil(
    async () => {
      for (const [id, key] of live) {
        const res = await call<{ status: string }>("GET", `/v1/batches/${id}`, { key });
        if (!TERMINAL.includes(res.body.status)) {
          return false;
        }
      }
      return true;
    },
    { timeout: 60_000, interval: 100 },
  );
  createdBatches.clear();
});
