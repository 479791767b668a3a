import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../../src/app/config";
import { createApp } from "../../../src/app/create-app";
import { call } from "../../helpers/api";
import { PROJECT_A } from "../../helpers/projects";

const ALLOWED = "https://app.example.com";

function appWithOrigins(origins: string[]) {
  const app = createApp({ config: { ...readConfig(env), corsAllowedOrigins: origins } });
  return (path: string, init: RequestInit = {}) =>
    app.fetch(new Request(`http://batch.test${path}`, init), env);
}

function preflight(origin: string): RequestInit {
  return {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type, x-stainless-os",
    },
  };
}

describe("CORS", () => {
  it("answers a preflight from an allowed origin without a key", async () => {
    const res = await appWithOrigins([ALLOWED])("/v1/files", preflight(ALLOWED));
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")).toBe(
      "authorization, content-type, x-stainless-os",
    );
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("refuses a preflight from another origin, with no allow header", async () => {
    const res = await appWithOrigins([ALLOWED])("/v1/files", preflight("https://evil.example"));
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("adds the allow and expose headers to an authenticated response", async () => {
    const res = await appWithOrigins([ALLOWED])("/v1/files", {
      headers: { origin: ALLOWED, authorization: `Bearer ${PROJECT_A.key}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });

  it("adds them to error envelopes too, so the browser can read the error", async () => {
    const res = await appWithOrigins([ALLOWED])("/v1/files", { headers: { origin: ALLOWED } });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("allows any origin with *", async () => {
    const res = await appWithOrigins(["*"])("/health", { headers: { origin: "http://localhost:3000" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("is off when no origin is configured: a preflight meets the key check", async () => {
    const res = await call("OPTIONS", "/v1/files", { key: null, headers: { origin: ALLOWED } });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("readConfig CORS_ALLOWED_ORIGINS", () => {
  it.each([
    [undefined, []],
    ["", []],
    ["*", ["*"]],
    [" https://a.example/ , http://localhost:5173 ,", ["https://a.example", "http://localhost:5173"]],
  ])("reads %j as %j", (value, expected) => {
    expect(readConfig({ ...env, CORS_ALLOWED_ORIGINS: value } as unknown as Env).corsAllowedOrigins).toEqual(
      expected,
    );
  });
});
