import { describe, expect, it } from "vitest";
import { call } from "../../helpers/api";

type Operation = {
  tags: string[];
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
};
type Document = {
  openapi: string;
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, { post: { requestBody: unknown } }>;
};

describe("GET /openapi.json", () => {
  it("serves the document without a key, with this origin as its server", async () => {
    const res = await call<Document>("GET", "/openapi.json", { key: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body.servers).toEqual([{ url: "http://batch.test", description: "This deployment" }]);
    const used = new Set(
      Object.values(res.body.paths).flatMap((item) => Object.values(item).map((op) => op.tags[0])),
    );
    expect(res.body.tags.map((t) => t.name)).toEqual(expect.arrayContaining([...used]));
  });

  it("marks /health as needing no key and describes the outgoing batch.* webhooks", async () => {
    const { body } = await call<Document>("GET", "/openapi.json", { key: null });
    expect(body.paths["/health"]?.get?.security).toEqual([]);
    expect(Object.keys(body.webhooks).sort()).toEqual([
      "batch.cancelled",
      "batch.completed",
      "batch.expired",
      "batch.failed",
    ]);
  });

  it("documents x-request-id everywhere, retry hints on errors and Range on file content", async () => {
    const { body } = await call<Document>("GET", "/openapi.json", { key: null });
    const content = body.paths["/v1/files/{file_id}/content"]?.get;
    expect(content?.parameters).toContainEqual(expect.objectContaining({ name: "Range", in: "header" }));
    expect(Object.keys(content?.responses["206"]?.headers ?? {})).toEqual(
      expect.arrayContaining(["x-request-id", "content-range"]),
    );
    const create = body.paths["/v1/batches"]?.post;
    expect(Object.keys(create?.responses["200"]?.headers ?? {})).toContain("x-request-id");
    expect(Object.keys(create?.responses["400"]?.headers ?? {})).toContain("x-should-retry");
  });
});

// The dashboard (/) and the reference (/docs) are static assets, which the pool's fetch does not
// route through: test/e2e/dashboard.e2e.test.ts and test/browser/ check them on the local stack.
describe("paths that are no route", () => {
  it("stay a JSON 404 in the Worker", async () => {
    for (const path of ["/", "/docs", "/nothing-here"]) {
      const res = await call<{ error: { type: string } }>("GET", path, { key: null });
      expect(res.status).toBe(404);
      expect(res.body.error.type).toBe("invalid_request_error");
    }
  });
});
