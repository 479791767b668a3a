import OpenAI, { toFile } from "openai";
import { afterAll, describe, expect, it, vi } from "vitest";
import { localClient, newProjectClient } from "./helpers";
import { closedPort, type Received, WebhookReceiver } from "./webhook-receiver";

// Batches on the local stack (simulator, WEBHOOK_RETRY_BASE_MS=1000 in wrangler.toml's local env)
// sending their events to real HTTP receivers on loopback, verified with the official SDK.
const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";
const RETRY_BASE_MS = 1000;
const JITTER = 0.2;

type Delivery = {
  id: string;
  event_id: string;
  event_type: string;
  webhook_endpoint_id: string | null;
  url: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
};
type Endpoint = { id: string; secret: string; url: string };

const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(answer?: ConstructorParameters<typeof WebhookReceiver>[0], port = 0) {
  const r = await new WebhookReceiver(answer).listen(port);
  receivers.push(r);
  return r;
}

async function rotateSecret(client: OpenAI): Promise<string> {
  return (await client.post<{ secret: string }>("/webhook_secret/rotate")).secret;
}

/** Uploads `lines` chat requests (or raw lines) and creates a batch with the extra body fields. */
async function startBatch(
  client: OpenAI,
  lines: Array<string | object>,
  extra: Record<string, unknown> = {},
) {
  const content = lines
    .map((line, i) =>
      typeof line === "string"
        ? line
        : JSON.stringify({ custom_id: `r${i}`, method: "POST", url: "/v1/chat/completions", body: line }),
    )
    .join("\n");
  const file = await client.files.create({
    file: await toFile(Buffer.from(`${content}\n`), "in.jsonl"),
    purpose: "batch",
  });
  // `webhook_url` is an extension the SDK's types don't know; the body is sent as given
  const params = {
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
    ...extra,
  };
  return client.batches.create(params as OpenAI.Batches.BatchCreateParams);
}

const chat = (content: string) => ({ model: MODEL, messages: [{ role: "user", content }], max_tokens: 16 });

async function deliveries(client: OpenAI, batchId: string): Promise<Delivery[]> {
  return (await client.get<{ data: Delivery[] }>(`/batches/${batchId}/webhook_deliveries`)).data;
}

async function waitFor(predicate: () => boolean | Promise<boolean>, timeout = 60_000): Promise<void> {
  await vi.waitUntil(predicate, { timeout, interval: 100 });
}

describe("batch webhooks on the local stack", () => {
  const client = localClient();

  it("retries a receiver that answers 500 twice, with backoff, under one webhook-id; GET shows the result first", async () => {
    const secret = await rotateSecret(client);
    const seenByReceiver: Array<{ status: string; listed: string | undefined; outputLines: number }> = [];
    const hook = await receiver(async (request, index) => {
      // what the user's handler would do: look the batch up before acknowledging the event; the
      // list reads D1, so this also shows that the coordinator mirrored the end before sending
      const event = JSON.parse(request.body) as { data: { id: string } };
      const batch = await client.batches.retrieve(event.data.id);
      const listed = (await client.batches.list({ limit: 100 })).data.find((b) => b.id === event.data.id);
      const output = batch.output_file_id
        ? await (await client.files.content(batch.output_file_id)).text()
        : "";
      seenByReceiver.push({
        status: batch.status,
        listed: listed?.status,
        outputLines: output.split("\n").filter(Boolean).length,
      });
      return index < 2 ? 500 : 200;
    });
    const batch = await startBatch(client, [chat("one"), chat("two"), chat("three")], {
      webhook_url: hook.url(),
    });

    await waitFor(() => hook.received.length >= 3);
    await waitFor(async () => (await deliveries(client, batch.id))[0]?.status === "delivered");
    expect(hook.received).toHaveLength(3);
    expect(seenByReceiver).toEqual(
      Array(3).fill({ status: "completed", listed: "completed", outputLines: 3 }),
    );

    const [first, second, third] = hook.received as [Received, Received, Received];
    expect(new Set(hook.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
    expect(second.at - first.at).toBeGreaterThanOrEqual(RETRY_BASE_MS * (1 - JITTER));
    expect(third.at - second.at).toBeGreaterThanOrEqual(2 * RETRY_BASE_MS * (1 - JITTER));
    for (const request of hook.received) {
      const event = await client.webhooks.unwrap(request.body, request.headers, secret);
      expect(event).toMatchObject({ object: "event", type: "batch.completed", data: { id: batch.id } });
      expect(event.id).toBe(request.headers["webhook-id"]);
    }
    const done = await client.batches.retrieve(batch.id);
    expect(JSON.parse(third.body).created_at).toBe(done.completed_at);
    expect(await deliveries(client, batch.id)).toEqual([
      expect.objectContaining({ url: hook.url(), status: "delivered", attempts: 3, last_status_code: 200 }),
    ]);
  });

  it("keeps retrying a receiver that is down and delivers once it is back", async () => {
    const secret = await rotateSecret(client);
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/hook`;
    const batch = await startBatch(client, [chat("hello")], { webhook_url: url });

    let pending: Delivery | undefined;
    await waitFor(async () => {
      pending = (await deliveries(client, batch.id))[0];
      return (pending?.attempts ?? 0) >= 2;
    });
    expect(pending).toMatchObject({
      status: "pending",
      last_status_code: null,
      last_error: expect.any(String),
    });

    const hook = await receiver(() => 200, port);
    await waitFor(() => hook.received.length === 1);
    const [request] = hook.received as [Received];
    const event = await client.webhooks.unwrap(request.body, request.headers, secret);
    expect(event).toMatchObject({ type: "batch.completed", data: { id: batch.id } });
    await waitFor(async () => (await deliveries(client, batch.id))[0]?.status === "delivered");
    expect((await deliveries(client, batch.id))[0]?.attempts).toBeGreaterThanOrEqual(3);
  });

  it("sends each project's events to its own endpoints only, filtered by event type", async () => {
    // two projects of their own, made through the Admin API
    const clientA = await newProjectClient("webhooks team a");
    const clientB = await newProjectClient("webhooks team b");
    const hookA = await receiver();
    const hookB = await receiver();
    const create = (c: OpenAI, body: object) => c.post<Endpoint>("/webhook_endpoints", { body });
    const allOfA = await create(clientA, { url: hookA.url("/all") });
    const failedOfA = await create(clientA, {
      url: hookA.url("/failed-only"),
      event_types: ["batch.failed"],
    });
    const allOfB = await create(clientB, { url: hookB.url("/all") });

    const [completedA, failedA, completedB] = await Promise.all([
      startBatch(clientA, [chat("a")]),
      startBatch(clientA, [chat("fine"), "{not json"]),
      startBatch(clientB, [chat("b")]),
    ]);
    await waitFor(() => hookA.received.length === 3 && hookB.received.length === 1);
    for (const [c, id, count] of [
      [clientA, completedA.id, 1],
      [clientA, failedA.id, 2],
      [clientB, completedB.id, 1],
    ] as const) {
      await waitFor(async () => {
        const list = await deliveries(c, id);
        return list.length === count && list.every((d) => d.status === "delivered");
      });
    }

    const byPath = (path: string) => hookA.received.filter((r) => r.path === path);
    expect(hookA.events().map((e) => e.data.id)).not.toContain(completedB.id);
    expect(hookB.events().map((e) => [e.type, e.data.id])).toEqual([["batch.completed", completedB.id]]);
    expect(byPath("/failed-only").map((r) => JSON.parse(r.body).data.id)).toEqual([failedA.id]);
    expect(
      byPath("/all")
        .map((r) => JSON.parse(r.body).data.id)
        .sort(),
    ).toEqual([completedA.id, failedA.id].sort());
    for (const request of byPath("/all")) {
      await expect(
        clientA.webhooks.unwrap(request.body, request.headers, allOfA.secret),
      ).resolves.toBeTruthy();
      // another endpoint's secret does not verify it
      await expect(
        clientA.webhooks.unwrap(request.body, request.headers, failedOfA.secret),
      ).rejects.toThrow();
    }
    const failedEvent = await clientA.webhooks.unwrap(
      byPath("/failed-only")[0]?.body ?? "",
      byPath("/failed-only")[0]?.headers ?? {},
      failedOfA.secret,
    );
    expect(failedEvent.type).toBe("batch.failed");
    expect((await clientA.batches.retrieve(failedA.id)).status).toBe("failed");
    const [toB] = hookB.received as [Received];
    await expect(clientB.webhooks.unwrap(toB.body, toB.headers, allOfB.secret)).resolves.toBeTruthy();

    // one project cannot see or delete another's endpoints
    await expect(clientB.delete(`/webhook_endpoints/${allOfA.id}`)).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    const listA = await clientA.get<{ data: Array<{ id: string }> }>("/webhook_endpoints");
    expect(listA.data.map((e) => e.id).sort()).toEqual([allOfA.id, failedOfA.id].sort());
  });

  it("rejects a malformed webhook_url with a 400 on webhook_url", async () => {
    await rotateSecret(client);
    const error = await startBatch(client, [chat("x")], { webhook_url: "ftp://example.com/hook" }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "webhook_url", code: "invalid_value" });
  });
});
