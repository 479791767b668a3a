import { createHash } from "node:crypto";
import type OpenAI from "openai";
import { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { localClient, waitForBatchEnd } from "./helpers";

const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";

function jsonl(count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    const body = { model: MODEL, messages: [{ role: "user", content: `question ${i}` }], max_tokens: 16 };
    out += `${JSON.stringify({ custom_id: `req-${i}`, method: "POST", url: "/v1/chat/completions", body })}\n`;
  }
  return out;
}

describe("the Uploads API through the official Node SDK", () => {
  it("uploads parts concurrently, completes, and runs a batch on the file", async () => {
    const client = localClient();
    const content = Buffer.from(jsonl(200));
    const upload = await client.uploads.create({
      bytes: content.length,
      filename: "requests.jsonl",
      mime_type: "text/jsonl",
      purpose: "batch",
    });
    expect(upload).toMatchObject({ object: "upload", status: "pending", bytes: content.length });

    const size = Math.ceil(content.length / 5);
    const pieces = Array.from({ length: 5 }, (_, i) => content.subarray(i * size, (i + 1) * size));
    const parts = await Promise.all(
      pieces.map(async (piece, i) =>
        client.uploads.parts.create(upload.id, { data: await toFile(piece, `part-${i}`) }),
      ),
    );
    expect(parts.every((part) => part.object === "upload.part" && part.upload_id === upload.id)).toBe(true);

    const md5 = createHash("md5").update(content).digest("hex");
    const completed = await client.uploads.complete(upload.id, { part_ids: parts.map((p) => p.id), md5 });
    expect(completed.status).toBe("completed");
    const file = completed.file as OpenAI.Files.FileObject;
    expect(file).toMatchObject({ object: "file", bytes: content.length, purpose: "batch" });
    expect(Buffer.from(await (await client.files.content(file.id)).arrayBuffer()).equals(content)).toBe(true);

    const created = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const batch = await waitForBatchEnd(client, created.id);
    expect(batch.status).toBe("completed");
    expect(batch.request_counts).toEqual({ total: 200, completed: 200, failed: 0 });
    const output = (await (await client.files.content(batch.output_file_id as string)).text())
      .trim()
      .split("\n");
    expect(output.map((line) => JSON.parse(line).custom_id)).toEqual(
      Array.from({ length: 200 }, (_, i) => `req-${i}`),
    );
  });

  it("surfaces refusals as the SDK's typed errors", async () => {
    const client = localClient();
    const upload = await client.uploads.create({
      bytes: 10,
      filename: "requests.jsonl",
      mime_type: "text/jsonl",
      purpose: "batch",
    });
    const part = await client.uploads.parts.create(upload.id, {
      data: await toFile(Buffer.from("{}\n"), "p"),
    });
    await expect(client.uploads.complete(upload.id, { part_ids: [part.id] })).rejects.toMatchObject({
      status: 400,
      param: "part_ids",
    });
    const cancelled = await client.uploads.cancel(upload.id);
    expect(cancelled.status).toBe("cancelled");
    await expect(client.uploads.cancel("upload_unknown")).rejects.toMatchObject({ status: 404 });
  });
});
