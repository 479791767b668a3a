import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../../src/app/deps";
import { WebhookEndpointWithSecretSchema } from "../../../src/schemas/webhook";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_A, PROJECT_B } from "../../helpers/projects";
import { createEndpoint } from "../../helpers/webhooks";

describe("POST /v1/webhook_endpoints/{webhook_endpoint_id}/rotate_secret", () => {
  it("replaces the secret, shows the new one once, and signs with it from then on", async () => {
    const endpoint = await createEndpoint();
    const res = await call("POST", `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`);
    expect(res.status).toBe(200);
    const rotated = WebhookEndpointWithSecretSchema.parse(res.body);
    expect(rotated).toMatchObject({ id: endpoint.id, url: endpoint.url, event_types: endpoint.event_types });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    const stored = await createDeps(env).webhooks.endpointSecret(PROJECT_A.id, endpoint.id);
    expect(stored).toBe(rotated.secret);
  });

  it("answers 404 for another project's endpoint and keeps its secret", async () => {
    const others = await createEndpoint({}, PROJECT_B.key);
    const res = await call<ErrorEnvelope>("POST", `/v1/webhook_endpoints/${others.id}/rotate_secret`);
    expect(res.status).toBe(404);
    expect(await createDeps(env).webhooks.endpointSecret(PROJECT_B.id, others.id)).toBe(others.secret);
  });

  it("answers 404 for an unknown id", async () => {
    const res = await call("POST", "/v1/webhook_endpoints/we_01J0000000000000000000000/rotate_secret");
    expect(res.status).toBe(404);
  });

  describeAuthCases((key) => call("POST", "/v1/webhook_endpoints/we_x/rotate_secret", { key }));
});
