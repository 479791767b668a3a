import { describe, expect, it } from "vitest";
import { WebhookEndpointListSchema } from "../../../src/schemas/webhook";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_B } from "../../helpers/projects";
import { createEndpoint, newProjectKey } from "../../helpers/webhooks";

describe("GET /v1/webhook_endpoints", () => {
  it("pages through the project's endpoints newest first, without their secrets", async () => {
    const project = await newProjectKey();
    const created = [];
    for (let i = 0; i < 3; i++) {
      created.push(await createEndpoint({ url: `https://hooks.example.com/${i}` }, project.key));
    }
    await createEndpoint({}, PROJECT_B.key);

    const first = await call("GET", "/v1/webhook_endpoints?limit=2", { key: project.key });
    expect(first.status).toBe(200);
    const page = WebhookEndpointListSchema.parse(first.body);
    expect(page.data.map((e) => e.id)).toEqual([created[2]?.id, created[1]?.id]);
    expect(page).toMatchObject({
      object: "list",
      has_more: true,
      first_id: created[2]?.id,
      last_id: created[1]?.id,
    });
    for (const endpoint of created) {
      expect(JSON.stringify(first.body)).not.toContain(endpoint.secret);
    }

    const second = await call("GET", `/v1/webhook_endpoints?limit=2&after=${page.last_id}`, {
      key: project.key,
    });
    const rest = WebhookEndpointListSchema.parse(second.body);
    expect(rest.data.map((e) => e.id)).toEqual([created[0]?.id]);
    expect(rest.has_more).toBe(false);
  });

  it("lists nothing for a project without endpoints", async () => {
    const project = await newProjectKey();
    const res = await call("GET", "/v1/webhook_endpoints", { key: project.key });
    expect(res.body).toEqual({ object: "list", data: [], first_id: null, last_id: null, has_more: false });
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=ten", "limit"],
  ])("answers 400 for %s", async (query, param) => {
    const res = await call<ErrorEnvelope>("GET", `/v1/webhook_endpoints?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe(param);
  });

  describeAuthCases((key) => call("GET", "/v1/webhook_endpoints", { key }));
});
