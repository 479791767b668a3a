import fs, { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { localClient, waitForBatchEnd } from "./helpers";

const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";

function writeJsonl(lines: unknown[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "batch-e2e-")), "requests.jsonl");
  writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
  return file;
}

function chat(customId: string, content: string) {
  return {
    custom_id: customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: MODEL, messages: [{ role: "user", content }], max_tokens: 40 },
  };
}

describe("the OpenAI cookbook flow with the official SDK", () => {
  it("uploads, creates, polls, downloads and parses the results", async () => {
    const client = localClient();
    const lines = Array.from({ length: 12 }, (_, i) => chat(`task-${i}`, `Summarize item ${i}`));
    const file = await client.files.create({
      file: fs.createReadStream(writeJsonl(lines)),
      purpose: "batch",
    });
    const created = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { description: "nightly eval job" },
    });
    expect(created.status).toBe("validating");
    const batch = await waitForBatchEnd(client, created.id);
    expect(batch.status).toBe("completed");
    expect(batch.request_counts).toEqual({ total: 12, completed: 12, failed: 0 });
    expect(batch.error_file_id).toBeNull();
    const text = await (await client.files.content(batch.output_file_id as string)).text();
    const results = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(results.map((r) => r.custom_id)).toEqual(lines.map((l) => l.custom_id));
    for (const result of results) {
      expect(result.error).toBeNull();
      expect(result.response.status_code).toBe(200);
      expect(typeof result.response.body.choices[0].message.content).toBe("string");
    }
    const outputFile = await client.files.retrieve(batch.output_file_id as string);
    expect(outputFile.purpose).toBe("batch_output");
  });

  it("pages through batches.list with the SDK's iterator", async () => {
    const client = localClient();
    const file = await client.files.create({
      file: fs.createReadStream(writeJsonl([chat("a", "x")])),
      purpose: "batch",
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await client.batches.create({
            input_file_id: file.id,
            endpoint: "/v1/chat/completions",
            completion_window: "24h",
          })
        ).id,
      );
    }
    const seen: string[] = [];
    for await (const batch of client.batches.list({ limit: 2 })) {
      seen.push(batch.id);
    }
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("cancels a running batch and raises ConflictError on cancelling a completed one", async () => {
    const client = localClient();
    const slow = Array.from({ length: 40 }, (_, i) => chat(`slow-${i}`, `[sim:latency=200] ${i}`));
    const file = await client.files.create({ file: fs.createReadStream(writeJsonl(slow)), purpose: "batch" });
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const cancelling = await client.batches.cancel(batch.id);
    expect(["cancelling", "cancelled"]).toContain(cancelling.status);
    const done = await waitForBatchEnd(client, batch.id);
    expect(done.status).toBe("cancelled");
    const counts = done.request_counts!;
    expect(counts.completed + counts.failed).toBe(counts.total);

    const quick = await client.files.create({
      file: fs.createReadStream(writeJsonl([chat("q", "x")])),
      purpose: "batch",
    });
    const finished = await waitForBatchEnd(
      client,
      (
        await client.batches.create({
          input_file_id: quick.id,
          endpoint: "/v1/chat/completions",
          completion_window: "24h",
        })
      ).id,
    );
    expect(finished.status).toBe("completed");
    const retrying = localClient({ maxRetries: 2 });
    await expect(retrying.batches.cancel(finished.id)).rejects.toBeInstanceOf(OpenAI.ConflictError);
  });

  it("maps errors to the SDK's classes", async () => {
    const client = localClient();
    await expect(client.batches.retrieve("batch_missing")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client.batches.create({
        input_file_id: "file-missing",
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(
      client.batches.create({
        input_file_id: "file-missing",
        endpoint: "/v1/invalid/endpoint" as "/v1/chat/completions",
        completion_window: "24h",
      }),
    ).rejects.toMatchObject({ status: 400, code: "invalid_value", param: "endpoint" });
    await expect(localClient({ apiKey: "sk-bad" }).batches.list()).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
  });
});
