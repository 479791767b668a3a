import { describe, expect, it } from "vitest";
import { call, type ErrorEnvelope } from "../helpers/api";
import { REVOKED_KEY } from "../helpers/projects";

describe("the HTTP surface", () => {
  it("answers /health without a key", async () => {
    const res = await call("GET", "/health", { key: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("serves the OpenAPI document without a key", async () => {
    const doc = await call<{ openapi: string; paths: Record<string, unknown> }>("GET", "/openapi.json", {
      key: null,
    });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toContain("/health");
  });

  it.each([
    ["no key", null],
    ["a wrong key", "sk-wrong"],
    ["a revoked key", REVOKED_KEY],
  ])("answers 401 invalid_api_key for %s", async (_label, key) => {
    const res = await call<ErrorEnvelope>("GET", "/v1/files", { key });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(res.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "invalid_api_key",
      param: null,
    });
  });

  it("answers unknown routes with the error envelope", async () => {
    const res = await call<ErrorEnvelope>("GET", "/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body.error.type).toBe("invalid_request_error");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});
