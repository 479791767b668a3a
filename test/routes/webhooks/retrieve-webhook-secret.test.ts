import { describe, expect, it } from "vitest";
import { WebhookSecretSchema } from "../../../src/schemas/webhook";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { newProjectKey, rotateProjectSecret } from "../../helpers/webhooks";

describe("GET /v1/webhook_secret", () => {
  it("answers 404 until the project has a secret, then its creation time but never the secret", async () => {
    const project = await newProjectKey();
    const before = await call<ErrorEnvelope>("GET", "/v1/webhook_secret", { key: project.key });
    expect(before.status).toBe(404);
    expect(before.body.error.message).toMatch(/POST \/v1\/webhook_secret\/rotate/);

    const rotated = await rotateProjectSecret(project.key);
    const after = await call("GET", "/v1/webhook_secret", { key: project.key });
    expect(after.status).toBe(200);
    expect(WebhookSecretSchema.strict().parse(after.body)).toEqual({
      object: "webhook_secret",
      created_at: rotated.created_at,
    });
    expect(JSON.stringify(after.body)).not.toContain(rotated.secret);
  });

  describeAuthCases((key) => call("GET", "/v1/webhook_secret", { key }));
});
