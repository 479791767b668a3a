import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { WebhookEndpointWithSecretSchema } from "../../../src/schemas/webhook";
import { MAX_ENDPOINTS_PER_PROJECT } from "../../../src/services/webhooks";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_A } from "../../helpers/projects";
import { createEndpoint, HOOK_URL, newProjectKey } from "../../helpers/webhooks";

describe("POST /v1/webhook_endpoints", () => {
  it("creates an endpoint for every batch event and shows its secret once", async () => {
    const res = await call("POST", "/v1/webhook_endpoints", { json: { url: HOOK_URL } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const endpoint = WebhookEndpointWithSecretSchema.parse(res.body);
    expect(endpoint).toMatchObject({
      object: "webhook_endpoint",
      url: HOOK_URL,
      event_types: ["batch.completed", "batch.failed", "batch.expired", "batch.cancelled"],
    });
    expect(endpoint.id).toMatch(/^we_/);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const row = await env.DB.prepare("SELECT * FROM webhook_endpoints WHERE id = ?1")
      .bind(endpoint.id)
      .first();
    expect(JSON.stringify(row)).not.toContain(endpoint.secret.slice(6));
    const again = await call("GET", `/v1/webhook_endpoints/${endpoint.id}`);
    expect(JSON.stringify(again.body)).not.toContain(endpoint.secret);
  });

  it("subscribes to the chosen events only, each once, in a fixed order", async () => {
    const endpoint = await createEndpoint({
      event_types: ["batch.failed", "batch.completed", "batch.failed"],
    });
    expect(endpoint.event_types).toEqual(["batch.completed", "batch.failed"]);
  });

  it("accepts a loopback http URL in the local environment", async () => {
    expect((await createEndpoint({ url: "http://127.0.0.1:9999/hook" })).url).toBe(
      "http://127.0.0.1:9999/hook",
    );
  });

  it.each([
    ["no url", {}, "url", "missing_required_parameter"],
    // the code of a wrong-type field comes from the shared zod mapping (src/errors/zod-error.ts)
    ["a url that is not a string", { url: 42 }, "url", undefined],
    ["a url that is not a URL", { url: "not a url" }, "url", "invalid_value"],
    ["plain http to a public host", { url: "http://example.com/hook" }, "url", "invalid_value"],
    ["credentials in the url", { url: "https://u:p@example.com/hook" }, "url", "invalid_value"],
    ["a url that is too long", { url: `https://example.com/${"x".repeat(2048)}` }, "url", "invalid_value"],
    [
      "an unknown event type",
      { url: HOOK_URL, event_types: ["batch.started"] },
      "event_types.0",
      "invalid_value",
    ],
    ["no event types", { url: HOOK_URL, event_types: [] }, "event_types", "invalid_value"],
    [
      "event types that are not a list",
      { url: HOOK_URL, event_types: "batch.completed" },
      "event_types",
      undefined,
    ],
  ])("answers 400 for %s", async (_label, json, param, code) => {
    const res = await call<ErrorEnvelope>("POST", "/v1/webhook_endpoints", { json });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", param });
    if (code) {
      expect(res.body.error.code).toBe(code);
    }
  });

  it(`answers 400 limit_exceeded past ${MAX_ENDPOINTS_PER_PROJECT} endpoints per project`, async () => {
    const project = await newProjectKey();
    await Promise.all(
      Array.from({ length: MAX_ENDPOINTS_PER_PROJECT }, (_, i) =>
        createEndpoint({ url: `${HOOK_URL}/${i}` }, project.key),
      ),
    );
    const res = await call<ErrorEnvelope>("POST", "/v1/webhook_endpoints", {
      key: project.key,
      json: { url: HOOK_URL },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("limit_exceeded");
    expect(res.headers.get("x-should-retry")).toBe("false");
    // another project is not affected by this one's endpoints
    expect((await createEndpoint({}, PROJECT_A.key)).url).toBe(HOOK_URL);
  });

  describeAuthCases((key) => call("POST", "/v1/webhook_endpoints", { key, json: { url: HOOK_URL } }));
});
