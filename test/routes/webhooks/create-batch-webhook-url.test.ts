import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDeps } from "../../../src/app/deps";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { chatLine, createBatch, jsonl, uploadJsonl, waitForBatch } from "../../helpers/batches";
import { PROJECT_A } from "../../helpers/projects";
import { HOOK_URL, newProjectKey, rotateProjectSecret } from "../../helpers/webhooks";

// `webhook_url` on POST /v1/batches: the extension field, checked before anything is created. The
// batches created here run to the end and are answered by a stand-in receiver, so that nothing is
// still sending when the file's isolate is torn down.
let inputFileId = "";
const started: string[] = [];

beforeAll(async () => {
  await rotateProjectSecret();
  inputFileId = await uploadJsonl(jsonl([chatLine("a", "hello")]));
  vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response(null, { status: 204 }));
});

afterAll(async () => {
  for (const id of started) {
    await waitForBatch(id);
    await vi.waitUntil(
      async () => {
        const res = await call<{ data: Array<{ status: string }> }>(
          "GET",
          `/v1/batches/${id}/webhook_deliveries`,
        );
        return res.body.data.every((delivery) => delivery.status !== "pending");
      },
      { timeout: 10_000, interval: 50 },
    );
  }
  vi.restoreAllMocks();
});

function create(extra: Record<string, unknown>, key: string = PROJECT_A.key) {
  return call<ErrorEnvelope>("POST", "/v1/batches", {
    key,
    json: {
      input_file_id: inputFileId,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      ...extra,
    },
  });
}

describe("POST /v1/batches with webhook_url", () => {
  it("stores the URL with the batch for its coordinator", async () => {
    const batch = await createBatch(inputFileId, { webhook_url: `${HOOK_URL}?tag=1` });
    started.push(batch.id);
    const row = await createDeps(env).batches.get(PROJECT_A.id, batch.id);
    expect(row?.params.webhookUrl).toBe(`${HOOK_URL}?tag=1`);
    expect(batch).not.toHaveProperty("webhook_url");
  });

  it.each([null, undefined])("treats %s as no webhook", async (value) => {
    const batch = await createBatch(inputFileId, { webhook_url: value });
    started.push(batch.id);
    expect((await createDeps(env).batches.get(PROJECT_A.id, batch.id))?.params.webhookUrl).toBeNull();
  });

  it.each([
    ["not a URL", "hooks.example.com/batches", /not an absolute URL/],
    ["plain http to a public host", "http://hooks.example.com/batches", /expected an https URL/],
    ["credentials", "https://user:secret@hooks.example.com/batches", /must not contain credentials/],
    ["a URL that is too long", `${HOOK_URL}/${"x".repeat(2048)}`, /at most 2048 characters/],
    ["a javascript: URL", "javascript:alert(1)", /expected an https URL/],
  ])("answers 400 on webhook_url for %s", async (_label, url, message) => {
    const res = await create({ webhook_url: url });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ param: "webhook_url", code: "invalid_value" });
    expect(res.body.error.message).toMatch(message);
  });

  it("answers 400 on webhook_url for a non-string", async () => {
    const res = await create({ webhook_url: 7 });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("webhook_url");
  });

  it("answers 400 webhook_secret_missing while the project has no signing secret", async () => {
    const project = await newProjectKey();
    const fileId = await uploadJsonl(jsonl([chatLine("a", "hello")]), project.key);
    const res = await call<ErrorEnvelope>("POST", "/v1/batches", {
      key: project.key,
      json: {
        input_file_id: fileId,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        webhook_url: HOOK_URL,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ param: "webhook_url", code: "webhook_secret_missing" });
    expect(res.body.error.message).toMatch(/POST \/v1\/webhook_secret\/rotate/);
    const list = await call<{ data: unknown[] }>("GET", "/v1/batches", { key: project.key });
    expect(list.body.data).toEqual([]);
  });
});
