import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app/create-app";
import { createDeps } from "../../../src/app/deps";
import { D1WebhookStore } from "../../../src/storage/d1/webhooks-store";
import { SecretCipher } from "../../../src/webhooks/secret-cipher";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_A } from "../../helpers/projects";
import { newProjectKey, rotateProjectSecret } from "../../helpers/webhooks";

describe("POST /v1/webhook_secret/rotate", () => {
  it("creates the project's signing secret, then replaces it, showing each once", async () => {
    const project = await newProjectKey();
    const first = await rotateProjectSecret(project.key);
    expect(first).toMatchObject({ object: "webhook_secret", created_at: expect.any(Number) });
    expect(first.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const second = await rotateProjectSecret(project.key);
    expect(second.secret).not.toBe(first.secret);
    const deps = createDeps(env);
    expect(await deps.webhooks.projectSecret(project.id as `proj_${string}`)).toBe(second.secret);

    const row = await env.DB.prepare("SELECT * FROM webhook_project_secrets WHERE project_id = ?1")
      .bind(project.id)
      .first();
    expect(JSON.stringify(row)).not.toContain(second.secret.slice(6));
  });

  it("answers 503 webhooks_not_configured when the deployment has no WEBHOOK_SECRET_KEY", async () => {
    const app = createApp({ webhooks: new D1WebhookStore(env.DB, new SecretCipher(null)) });
    const res = await app.fetch(
      new Request("http://batch.test/v1/webhook_secret/rotate", {
        method: "POST",
        headers: { authorization: `Bearer ${PROJECT_A.key}` },
      }),
      env,
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("x-should-retry")).toBe("false");
    const body = (await res.json()) as ErrorEnvelope;
    expect(body.error).toMatchObject({ type: "server_error", code: "webhooks_not_configured" });
  });

  describeAuthCases((key) => call("POST", "/v1/webhook_secret/rotate", { key }));
});
