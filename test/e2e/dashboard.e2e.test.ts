import { describe, expect, it } from "vitest";
import { origin } from "./helpers";

// Workers Static Assets on the local stack: the dashboard and the API reference, next to the API.
describe("static assets", () => {
  it("serves the dashboard at / without a key, with no outside host", async () => {
    const res = await fetch(`${origin()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("/app.js");
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${origin()}/app.js`)).status).toBe(200);
  });

  it("serves the API reference at /docs with its renderer from the same origin", async () => {
    const res = await fetch(`${origin()}/docs`, { redirect: "manual" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("/reference/swagger-ui-bundle.js");
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${origin()}/reference/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    await bundle.arrayBuffer();
  });

  it("keeps the API on the Worker: /health, /openapi.json and a JSON 404 for other paths", async () => {
    expect(await (await fetch(`${origin()}/health`)).json()).toEqual({ status: "ok" });
    const doc = (await (await fetch(`${origin()}/openapi.json`)).json()) as { servers: { url: string }[] };
    expect(doc.servers[0]?.url).toBe(origin());
    const missing = await fetch(`${origin()}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });
});
