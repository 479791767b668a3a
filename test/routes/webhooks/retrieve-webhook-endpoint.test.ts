import { describe, expect, it } from "vitest";
import { WebhookEndpointSchema } from "../../../src/schemas/webhook";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_B } from "../../helpers/projects";
import { createEndpoint } from "../../helpers/webhooks";

describe("GET /v1/webhook_endpoints/{webhook_endpoint_id}", () => {
  it("returns the endpoint without its secret", async () => {
    const created = await createEndpoint({ event_types: ["batch.expired"] });
    const res = await call("GET", `/v1/webhook_endpoints/${created.id}`);
    expect(res.status).toBe(200);
    const { secret: _secret, ...withoutSecret } = created;
    expect(res.body).toEqual(withoutSecret);
    expect(WebhookEndpointSchema.strict().parse(res.body)).toBeTruthy();
  });

  it("answers 404 alike for an unknown id, a malformed id and another project's endpoint", async () => {
    const others = await createEndpoint({}, PROJECT_B.key);
    for (const id of ["we_01J0000000000000000000000", "not-an-id", others.id]) {
      const res = await call<ErrorEnvelope>("GET", `/v1/webhook_endpoints/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", param: "webhook_endpoint_id" });
      expect(res.body.error.message).toBe(`No webhook endpoint found with id '${id}'.`);
    }
  });

  describeAuthCases((key) => call("GET", "/v1/webhook_endpoints/we_x", { key }));
});
