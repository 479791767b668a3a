import { describe, expect, it } from "vitest";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_B } from "../../helpers/projects";
import { createEndpoint } from "../../helpers/webhooks";

describe("DELETE /v1/webhook_endpoints/{webhook_endpoint_id}", () => {
  it("deletes the endpoint, after which it is not found", async () => {
    const endpoint = await createEndpoint();
    const res = await call("DELETE", `/v1/webhook_endpoints/${endpoint.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: endpoint.id, object: "webhook_endpoint", deleted: true });
    expect((await call("GET", `/v1/webhook_endpoints/${endpoint.id}`)).status).toBe(404);
    expect((await call("DELETE", `/v1/webhook_endpoints/${endpoint.id}`)).status).toBe(404);
  });

  it("answers 404 for another project's endpoint and leaves it in place", async () => {
    const others = await createEndpoint({}, PROJECT_B.key);
    const res = await call<ErrorEnvelope>("DELETE", `/v1/webhook_endpoints/${others.id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.param).toBe("webhook_endpoint_id");
    expect((await call("GET", `/v1/webhook_endpoints/${others.id}`, { key: PROJECT_B.key })).status).toBe(
      200,
    );
  });

  it("answers 404 for an unknown id", async () => {
    expect((await call("DELETE", "/v1/webhook_endpoints/we_01J0000000000000000000000")).status).toBe(404);
  });

  describeAuthCases((key) => call("DELETE", "/v1/webhook_endpoints/we_x", { key }));
});
