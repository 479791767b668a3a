import { describe, expect, it } from "vitest";
import { ModelSchema } from "../../../src/schemas/model";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";

describe("GET /v1/models/{model}", () => {
  it.each([
    ["an alias", "gpt-4o-mini", "@cf/meta/llama-3.1-8b-instruct-fast"],
    ["a URL-encoded @cf id (as the SDKs send it)", encodeURIComponent("@cf/baai/bge-m3"), "@cf/baai/bge-m3"],
  ])("retrieves %s", async (_label, path, root) => {
    const res = await call("GET", `/v1/models/${path}`);
    expect(res.status).toBe(200);
    expect(ModelSchema.parse(res.body)).toMatchObject({
      id: decodeURIComponent(path),
      object: "model",
      root,
    });
  });

  it("answers 404 model_not_found for an unknown model", async () => {
    const res = await call<ErrorEnvelope>("GET", "/v1/models/gpt-17");
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "model_not_found",
      param: "model",
    });
  });

  describeAuthCases((key) => call("GET", "/v1/models/gpt-4o-mini", { key }));
});
