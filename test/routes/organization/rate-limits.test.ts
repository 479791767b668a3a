import { describe, expect, it } from "vitest";
import { RateLimitListSchema, RateLimitSchema } from "../../../src/schemas/organization";
import { admin } from "../../helpers/admin";
import { call } from "../../helpers/api";
import { CHAT_MODEL } from "../../helpers/batches";
import { describeAdminAuthCases, expectApiError } from "./helpers";

async function newProject(): Promise<string> {
  return (await admin<{ id: string }>("POST", "/projects", { json: { name: "rl" } })).body.id;
}

describe("GET /v1/organization/projects/{project_id}/rate_limits", () => {
  it("has one entry per model the deployment serves", async () => {
    const projectId = await newProject();
    const page = RateLimitListSchema.parse((await admin("GET", `/projects/${projectId}/rate_limits`)).body);
    const models = (await call<{ data: Array<{ id: string; root: string }> }>("GET", "/v1/models")).body.data;
    const served = [...new Set(models.map((m) => m.root))].sort();
    expect(page.data.map((l) => l.model).sort()).toEqual(served);
    expect(new Set(page.data.map((l) => l.id)).size).toBe(page.data.length);
    const chat = page.data.find((l) => l.model === CHAT_MODEL);
    expect(chat).toMatchObject({
      object: "project.rate_limit",
      max_requests_per_1_minute: expect.any(Number),
      batch_1_day_max_input_tokens: expect.any(Number),
    });
  });

  it("pages with after=<last_id>", async () => {
    const projectId = await newProject();
    const first = RateLimitListSchema.parse(
      (await admin("GET", `/projects/${projectId}/rate_limits?limit=1`)).body,
    );
    expect(first.data).toHaveLength(1);
    const next = RateLimitListSchema.parse(
      (await admin("GET", `/projects/${projectId}/rate_limits?limit=100&after=${first.last_id}`)).body,
    );
    expect(next.data.map((l) => l.id)).not.toContain(first.last_id);
  });

  it("answers 404 for an unknown project and 400 for a bad limit", async () => {
    expectApiError(await admin("GET", "/projects/proj_nope/rate_limits"), 404, { param: "project_id" });
    expect((await admin("GET", "/projects/proj_test_a/rate_limits?limit=0")).status).toBe(400);
  });

  describeAdminAuthCases((key) => admin("GET", "/projects/proj_test_a/rate_limits", { key }));
});

describe("POST /v1/organization/projects/{project_id}/rate_limits/{rate_limit_id}", () => {
  async function chatLimitId(projectId: string): Promise<string> {
    const page = RateLimitListSchema.parse((await admin("GET", `/projects/${projectId}/rate_limits`)).body);
    return page.data.find((l) => l.model === CHAT_MODEL)?.id ?? "";
  }

  it("stores the fields given, keeps the others, and shows them in the list", async () => {
    const projectId = await newProject();
    const id = await chatLimitId(projectId);
    const first = RateLimitSchema.parse(
      (
        await admin("POST", `/projects/${projectId}/rate_limits/${id}`, {
          json: { max_requests_per_1_minute: 42 },
        })
      ).body,
    );
    const second = RateLimitSchema.parse(
      (
        await admin("POST", `/projects/${projectId}/rate_limits/${id}`, {
          json: { batch_1_day_max_input_tokens: 5000 },
        })
      ).body,
    );
    expect(second).toEqual({ ...first, batch_1_day_max_input_tokens: 5000 });
    expect(second.max_requests_per_1_minute).toBe(42);
    const page = RateLimitListSchema.parse((await admin("GET", `/projects/${projectId}/rate_limits`)).body);
    expect(page.data.find((l) => l.id === id)).toEqual(second);
    const other = RateLimitListSchema.parse((await admin("GET", "/projects/proj_test_b/rate_limits")).body);
    expect(other.data.find((l) => l.id === id)?.max_requests_per_1_minute).not.toBe(42);
  });

  it.each([
    ["zero", { max_requests_per_1_minute: 0 }, "max_requests_per_1_minute"],
    ["a fraction", { max_tokens_per_1_minute: 2.5 }, "max_tokens_per_1_minute"],
    ["a string", { batch_1_day_max_input_tokens: "many" }, "batch_1_day_max_input_tokens"],
  ])("answers 400 for %s", async (_label, json, param) => {
    const projectId = await newProject();
    const id = await chatLimitId(projectId);
    expectApiError(await admin("POST", `/projects/${projectId}/rate_limits/${id}`, { json }), 400, { param });
  });

  it("answers 400 unknown_parameter for a limit this deployment has no use for", async () => {
    const projectId = await newProject();
    const id = await chatLimitId(projectId);
    const res = await admin("POST", `/projects/${projectId}/rate_limits/${id}`, {
      json: { max_images_per_1_minute: 5 },
    });
    expectApiError(res, 400, { code: "unknown_parameter", message: /max_images_per_1_minute/ });
  });

  it("answers 404 for an unknown rate limit and 400 for an archived project", async () => {
    const projectId = await newProject();
    expectApiError(await admin("POST", `/projects/${projectId}/rate_limits/rl-nope`, { json: {} }), 404, {
      param: "rate_limit_id",
    });
    const id = await chatLimitId(projectId);
    await admin("POST", `/projects/${projectId}/archive`);
    expectApiError(
      await admin("POST", `/projects/${projectId}/rate_limits/${id}`, {
        json: { max_requests_per_1_minute: 1 },
      }),
      400,
      { code: "project_archived" },
    );
  });

  describeAdminAuthCases((key) =>
    admin("POST", "/projects/proj_test_a/rate_limits/rl-x", { key, json: { max_requests_per_1_minute: 1 } }),
  );
});
