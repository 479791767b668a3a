import OpenAI from "openai";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type WebhookDelivery, WebhookDeliveryListSchema } from "../../../src/schemas/webhook";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { chatLine, createBatch, jsonl, uploadJsonl, waitForBatch } from "../../helpers/batches";
import { PROJECT_B } from "../../helpers/projects";
import { createEndpoint, HOOK_URL, rotateProjectSecret } from "../../helpers/webhooks";

type Received = { url: string; headers: Record<string, string>; body: string };

/** Answers webhook POSTs to hooks.example.com with `status`; any other fetch goes through. */
function receiveWebhooks(status: number): Received[] {
  const received: Received[] = [];
  const original = globalThis.fetch.bind(globalThis);
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith("https://hooks.example.com/")) {
      return original(input, init);
    }
    received.push({
      url,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: String(init?.body),
    });
    return new Response(null, { status });
  });
  return received;
}

async function deliveries(batchId: string): Promise<WebhookDelivery[]> {
  const res = await call("GET", `/v1/batches/${batchId}/webhook_deliveries`);
  expect(res.status).toBe(200);
  return WebhookDeliveryListSchema.parse(res.body).data;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /v1/batches/{batch_id}/webhook_deliveries", () => {
  it("shows each destination's delivery of the batch's event once the batch ends", async () => {
    const { secret } = await rotateProjectSecret();
    const endpoint = await createEndpoint({ url: `${HOOK_URL}/endpoint`, event_types: ["batch.completed"] });
    const received = receiveWebhooks(200);
    const batch = await createBatch(await uploadJsonl(jsonl([chatLine("a", "hi")])), {
      webhook_url: HOOK_URL,
    });
    expect(await deliveries(batch.id)).toEqual([]);

    const done = await waitForBatch(batch.id);
    expect(done.status).toBe("completed");
    let list: WebhookDelivery[] = [];
    await vi.waitUntil(
      async () => {
        list = await deliveries(batch.id);
        return list.length === 2 && list.every((d) => d.status === "delivered");
      },
      { timeout: 10_000, interval: 50 },
    );
    const eventId = list[0]?.event_id;
    expect(eventId).toMatch(/^evt_/);
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          url: HOOK_URL,
          webhook_endpoint_id: null,
          attempts: 1,
          last_status_code: 200,
        }),
        expect.objectContaining({
          url: endpoint.url,
          webhook_endpoint_id: endpoint.id,
          event_type: "batch.completed",
        }),
      ]),
    );
    for (const delivery of list) {
      expect(delivery).toMatchObject({
        object: "webhook_delivery",
        event_id: eventId,
        next_attempt_at: null,
      });
      expect(delivery.delivered_at).toBeGreaterThanOrEqual(done.completed_at ?? 0);
    }

    const sdk = new OpenAI({ apiKey: "sk-unused" });
    const toUrl = received.find((r) => r.url === HOOK_URL);
    const toEndpoint = received.find((r) => r.url === endpoint.url);
    expect(await sdk.webhooks.unwrap(toUrl?.body ?? "", toUrl?.headers ?? {}, secret)).toMatchObject({
      id: eventId,
      type: "batch.completed",
      data: { id: batch.id },
    });
    await expect(
      sdk.webhooks.unwrap(toEndpoint?.body ?? "", toEndpoint?.headers ?? {}, endpoint.secret),
    ).resolves.toBeTruthy();
  });

  it("answers 404 alike for an unknown batch and another project's batch", async () => {
    const others = await createBatch(
      await uploadJsonl(jsonl([chatLine("a", "hi")]), PROJECT_B.key),
      {},
      PROJECT_B.key,
    );
    for (const id of ["batch_doesnotexist", others.id]) {
      const res = await call<ErrorEnvelope>("GET", `/v1/batches/${id}/webhook_deliveries`);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", param: "batch_id" });
    }
  });

  describeAuthCases((key) => call("GET", "/v1/batches/batch_x/webhook_deliveries", { key }));
});
