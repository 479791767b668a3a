import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../../src/app/config";
import { createApp } from "../../../src/app/create-app";
import {
  AdminApiKeyCreatedSchema,
  AdminApiKeyListSchema,
  AdminApiKeySchema,
} from "../../../src/schemas/organization";
import { admin } from "../../helpers/admin";
import { call } from "../../helpers/api";
import { describeAdminAuthCases, expectApiError } from "./helpers";

describe("POST /v1/organization/admin_api_keys", () => {
  it("creates a key whose value is shown once and works at once", async () => {
    const res = await admin("POST", "/admin_api_keys", { json: { name: "ops", expires_in_seconds: 3600 } });
    const key = AdminApiKeyCreatedSchema.parse(res.body);
    expect(key.value).toMatch(/^sk-admin-[0-9A-Za-z]{48}$/);
    expect(key.redacted_value).toBe(`${key.value.slice(0, 13)}...${key.value.slice(-4)}`);
    expect(key.expires_at).toBe(key.created_at + 3600);
    const again = await admin("GET", `/admin_api_keys/${key.id}`, { key: key.value });
    expect(again.status).toBe(200);
    expect(JSON.stringify(again.body)).not.toContain(key.value);
  });

  it.each([
    ["no name", {}, "name"],
    ["a blank name", { name: " " }, "name"],
    ["a negative expiry", { name: "x", expires_in_seconds: -5 }, "expires_in_seconds"],
    ["a fractional expiry", { name: "x", expires_in_seconds: 1.5 }, "expires_in_seconds"],
  ])("answers 400 for %s", async (_label, json, param) => {
    expectApiError(await admin("POST", "/admin_api_keys", { json }), 400, { param });
  });

  describeAdminAuthCases((key) => admin("POST", "/admin_api_keys", { key, json: { name: "x" } }));
});

describe("GET /v1/organization/admin_api_keys[/{key_id}]", () => {
  it("lists keys without their values and retrieves one", async () => {
    const created = AdminApiKeyCreatedSchema.parse(
      (await admin("POST", "/admin_api_keys", { json: { name: "listed" } })).body,
    );
    const page = AdminApiKeyListSchema.parse(
      (await admin("GET", "/admin_api_keys?limit=100&order=desc")).body,
    );
    const listed = page.data.find((k) => k.id === created.id);
    expect(listed).toEqual(AdminApiKeySchema.parse({ ...created, value: undefined }));
    expect(JSON.stringify(page)).not.toContain(created.value);
  });

  it.each([["limit=0"], ["order=up"]])("answers 400 for %s", async (query) => {
    expect((await admin("GET", `/admin_api_keys?${query}`)).status).toBe(400);
  });

  it("answers 404 for an unknown key id", async () => {
    expectApiError(await admin("GET", "/admin_api_keys/key_nope"), 404, { param: "key_id" });
  });

  describeAdminAuthCases((key) => admin("GET", "/admin_api_keys", { key }));
});

describe("DELETE /v1/organization/admin_api_keys/{key_id}", () => {
  it("deletes a key: it gets 401 from then on and is gone from the list", async () => {
    const created = AdminApiKeyCreatedSchema.parse(
      (await admin("POST", "/admin_api_keys", { json: { name: "doomed" } })).body,
    );
    const res = await admin("DELETE", `/admin_api_keys/${created.id}`);
    expect(res.body).toEqual({ id: created.id, object: "organization.admin_api_key.deleted", deleted: true });
    expectApiError(await admin("GET", "/projects", { key: created.value }), 401, { code: "invalid_api_key" });
    expectApiError(await admin("DELETE", `/admin_api_keys/${created.id}`), 404, { param: "key_id" });
  });

  describeAdminAuthCases((key) => admin("DELETE", "/admin_api_keys/key_nope", { key }));
});

describe("admin keys and project routes", () => {
  it("refuses an admin key on a project route with 403", async () => {
    expectApiError(await call("GET", "/v1/files", { key: "sk-admin-test-0123456789abcdef" }), 403, {
      code: "insufficient_permissions",
    });
  });

  it("takes the ADMIN_API_KEY secret as a bootstrap admin key, until it is deleted", async () => {
    const secret = `sk-admin-bootstrap-${crypto.randomUUID()}`;
    const app = createApp({ config: { ...readConfig(env), adminApiKey: secret } });
    const request = (method: string, path: string) =>
      app.fetch(
        new Request(`http://batch.test/v1/organization${path}`, {
          method,
          headers: { authorization: `Bearer ${secret}` },
        }),
        env,
      );
    const listed = await request("GET", "/admin_api_keys?limit=100");
    expect(listed.status).toBe(200);
    const page = AdminApiKeyListSchema.parse(await listed.json());
    const bootstrap = page.data.find(
      (k) => k.name === "ADMIN_API_KEY secret" && secret.endsWith(k.redacted_value.slice(-4)),
    );
    expect(bootstrap).toBeDefined();
    expect((await request("DELETE", `/admin_api_keys/${bootstrap?.id}`)).status).toBe(200);
    expect((await request("GET", "/projects")).status).toBe(401);
  });
});
