import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BatchSchema } from "../../../src/schemas/batch";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { chatLine, createdBatches, jsonl, uploadJsonl } from "../../helpers/batches";
import { PROJECT_A } from "../../helpers/projects";
import { TEMPLATE, YEARLY } from "../../helpers/schedules";
import { CHAT_MODEL } from "../../helpers/sync-batch";
import { HOOK_URL } from "../../helpers/webhooks";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** A body of `chunks` 64 KiB chunks, sent chunked; `state` says whether the Worker read it to its end. */
function chunkedBody(chunks: number) {
  const state = { ended: false, cancelled: false };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) {
        state.ended = true;
        controller.close();
        return;
      }
      controller.enqueue(new TextEncoder().encode(sent === 0 ? '{"pad":"' : "x".repeat(64 * 1024)));
      sent++;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

async function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  const res = await exports.default.fetch(
    new Request(`http://batch.test${path}`, {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${PROJECT_A.key}`, ...headers },
    }),
  );
  return { status: res.status, headers: res.headers, body: (await res.json()) as ErrorEnvelope };
}

describe("JSON bodies over the limit", () => {
  it.each([
    ["POST /v1/batches", "/v1/batches", 413, "request_too_large"],
    ["POST /v1/batch/chat/completions", "/v1/batch/chat/completions", 400, "request_too_large"],
  ])(
    "%s refuses a chunked body over 1 MiB only after reading it to its end",
    async (_label, path, status, code) => {
      const { stream, state } = chunkedBody(40);
      const res = await post(path, stream, { "content-type": "application/json" });
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code });
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
      // a body left half read breaks the keep-alive connection: the client's next request on it hangs
      expect(state).toEqual({ ended: true, cancelled: false });
    },
  );
});

describe("JSON bodies sent without a JSON Content-Type (curl -d)", () => {
  it("creates a batch from a JSON body labelled application/x-www-form-urlencoded", async () => {
    const fileId = await uploadJsonl(jsonl([chatLine("a", "hello")]));
    const json = { input_file_id: fileId, endpoint: "/v1/chat/completions", completion_window: "24h" };
    const res = await call("POST", "/v1/batches", { body: JSON.stringify(json), headers: FORM });
    expect(res.status).toBe(200);
    const batch = BatchSchema.parse(res.body);
    createdBatches.set(batch.id, PROJECT_A.key);
    expect(batch.input_file_id).toBe(fileId);
  });

  it.each<[string, string, () => Promise<unknown>]>([
    [
      "POST /v1/batch_schedules",
      "/v1/batch_schedules",
      async () => ({
        cron: YEARLY,
        status: "paused",
        batch: TEMPLATE,
        input_url: "https://example.com/in.jsonl",
      }),
    ],
    ["POST /v1/webhook_endpoints", "/v1/webhook_endpoints", async () => ({ url: HOOK_URL })],
    [
      "POST /v1/batch/chat/completions",
      "/v1/batch/chat/completions",
      async () => ({ data: [[1, { model: CHAT_MODEL, messages: [{ role: "user", content: "hi" }] }]] }),
    ],
  ])("%s takes a JSON body with no Content-Type or a form one", async (_label, path, body) => {
    for (const headers of [FORM, { "content-type": "" }, { "content-type": "text/plain" }]) {
      const res = await call("POST", path, { body: JSON.stringify(await body()), headers });
      expect(res.status).toBe(200);
    }
  });

  it("still answers POST /v1/batches/{id}/cancel that carries a form body", async () => {
    const res = await call<ErrorEnvelope>("POST", "/v1/batches/batch_missing/cancel", {
      body: "{}",
      headers: FORM,
    });
    expect(res.status).toBe(404);
  });

  it.each([
    ["/v1/batches", "a=1&b=2", FORM, "unsupported_content_type", /application\/json/],
    ["/v1/batch/chat/completions", "data=1", FORM, "unsupported_content_type", /application\/json/],
    [
      "/v1/webhook_endpoints",
      "<xml/>",
      { "content-type": "text/xml" },
      "unsupported_content_type",
      /text\/xml/,
    ],
    ["/v1/batches", "{not json", { "content-type": "application/json" }, "invalid_json", /JSON/],
    [
      "/v1/batch/chat/completions",
      '{"data": [',
      { "content-type": "application/json; charset=utf-8" },
      "invalid_json",
      /JSON/,
    ],
  ])("answers POST %s with %s a 400 naming what it expects", async (path, body, headers, code, message) => {
    const res = await call<ErrorEnvelope>("POST", path, { body, headers });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", param: null, code });
    expect(res.body.error.message).toMatch(message);
  });

  it("reads an empty form body as no body: the first missing parameter is named", async () => {
    const res = await call<ErrorEnvelope>("POST", "/v1/batches", { body: "", headers: FORM });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "missing_required_parameter", param: "input_file_id" });
  });
});
