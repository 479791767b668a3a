import OpenAI, { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { adminClient, localClient, waitForBatchEnd } from "./helpers";

// The Admin API with the official SDK's `client.admin.organization`: an operator creates a project
// and a service account, the service account's key runs a batch, and usage shows exactly that
// batch. Everything goes over HTTP to the running stack; nothing writes its state from outside.

async function textModel(client: OpenAI): Promise<string> {
  const models = (await client.models.list()).data as Array<OpenAI.Models.Model & { task?: string }>;
  const model = models.find((m) => m.task === "text-generation" && m.id.startsWith("@cf/"));
  if (!model) {
    throw new Error("the stack serves no text-generation model");
  }
  return model.id;
}

async function runBatch(client: OpenAI, model: string, count: number): Promise<OpenAI.Batches.Batch> {
  const lines = Array.from({ length: count }, (_, i) => ({
    custom_id: `q-${i}`,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model, messages: [{ role: "user", content: `Question ${i}?` }], max_tokens: 24 },
  }));
  const file = await client.files.create({
    file: await toFile(Buffer.from(lines.map((l) => JSON.stringify(l)).join("\n")), "admin.jsonl"),
    purpose: "batch",
  });
  const created = await client.batches.create({
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
  const batch = await waitForBatchEnd(client, created.id);
  return batch;
}

describe("the Admin API with the official SDK", () => {
  it("creates a project and a service account whose batch shows up exactly in usage", async () => {
    const admin = adminClient();
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const project = await admin.admin.organization.projects.create({ name: "e2e usage team" });
    expect(project).toMatchObject({ object: "organization.project", status: "active" });
    const account = await admin.admin.organization.projects.serviceAccounts.create(project.id, {
      name: "nightly-job",
    });
    const key = account.api_key?.value ?? "";
    expect(key).toMatch(/^sk-svcacct-/);

    const team = localClient({ apiKey: key });
    const model = await textModel(team);
    const batch = await runBatch(team, model, 5);
    expect(batch.status).toBe("completed");
    expect(batch.request_counts).toEqual({ total: 5, completed: 5, failed: 0 });

    const usage = await admin.admin.organization.usage.completions({
      start_time: startTime,
      group_by: ["project_id", "model"],
      batch: true,
      project_ids: [project.id],
    });
    const results = usage.data.flatMap((bucket) => bucket.results);
    expect(results).toEqual([
      expect.objectContaining({
        object: "organization.usage.completions.result",
        project_id: project.id,
        model,
        input_tokens: batch.usage?.input_tokens,
        output_tokens: batch.usage?.output_tokens,
        num_model_requests: 5,
      }),
    ]);

    const keys = [];
    for await (const k of admin.admin.organization.projects.apiKeys.list(project.id)) {
      keys.push(k);
    }
    expect(keys).toEqual([
      expect.objectContaining({
        id: account.api_key?.id,
        owner: expect.objectContaining({ type: "service_account" }),
        last_used_at: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(keys)).not.toContain(key);
  });

  it("keeps the two kinds of keys apart and stops an archived project's keys at once", async () => {
    const admin = adminClient();
    const project = await admin.admin.organization.projects.create({ name: "e2e archive" });
    const account = await admin.admin.organization.projects.serviceAccounts.create(project.id, {
      name: "bot",
    });
    const team = localClient({ apiKey: account.api_key?.value ?? "" });
    await expect(team.files.list()).resolves.toBeDefined();

    const asProject = new OpenAI({
      adminAPIKey: account.api_key?.value ?? "",
      baseURL: team.baseURL,
      maxRetries: 0,
    });
    await expect(asProject.admin.organization.projects.list()).rejects.toBeInstanceOf(
      OpenAI.PermissionDeniedError,
    );
    const asAdmin = localClient({ apiKey: admin.adminAPIKey ?? "" });
    await expect(asAdmin.files.list()).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);

    const archived = await admin.admin.organization.projects.archive(project.id);
    expect(archived.status).toBe("archived");
    await expect(team.files.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    const listed = [];
    for await (const p of admin.admin.organization.projects.list({ include_archived: true })) {
      listed.push(p.id);
    }
    expect(listed).toContain(project.id);
  });

  it("lists one rate limit per served model and stores a change", async () => {
    const admin = adminClient();
    const project = await admin.admin.organization.projects.create({ name: "e2e limits" });
    const limits = [];
    for await (const limit of admin.admin.organization.projects.rateLimits.listRateLimits(project.id)) {
      limits.push(limit);
    }
    const model = await textModel(localClient());
    const chat = limits.find((l) => l.model === model);
    expect(chat).toBeDefined();
    const updated = await admin.admin.organization.projects.rateLimits.updateRateLimit(chat?.id ?? "", {
      project_id: project.id,
      max_requests_per_1_minute: 7,
      batch_1_day_max_input_tokens: 70_000,
    });
    expect(updated).toMatchObject({
      model,
      max_requests_per_1_minute: 7,
      batch_1_day_max_input_tokens: 70_000,
    });
  });
});
