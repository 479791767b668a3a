import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localClient, origin } from "./helpers";

// The official Node SDK (streamed, chunked, `file` before `purpose`) and a Python-style upload
// (`purpose` first) against the local stack.

const THIRTY_DAYS = 30 * 24 * 60 * 60;
const line = (i: number) =>
  JSON.stringify({
    custom_id: `req-${i}`,
    method: "POST",
    url: "/v1/chat/completions",
    body: {
      model: "@cf/meta/llama-3.1-8b-instruct-fast",
      messages: [{ role: "user", content: `hello ${i}` }],
    },
  });

let dir: string;

function writeJsonl(name: string, lines: number): { file: string; text: string } {
  const text = `${Array.from({ length: lines }, (_, i) => line(i)).join("\n")}\n`;
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return { file, text };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "files-e2e-"));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the Files API through the openai SDK", () => {
  it("uploads from fs.createReadStream, then retrieves, downloads and deletes the file", async () => {
    const client = localClient({ maxRetries: 2 });
    const { file: filePath, text } = writeJsonl("requests.jsonl", 2000);
    const file = await client.files.create({ file: fs.createReadStream(filePath), purpose: "batch" });
    expect(file).toMatchObject({
      object: "file",
      bytes: Buffer.byteLength(text),
      filename: "requests.jsonl",
      purpose: "batch",
      status: "processed",
    });
    expect(file.id).toMatch(/^file-/);
    expect(file.expires_at).toBe(file.created_at + THIRTY_DAYS);

    expect(await client.files.retrieve(file.id)).toEqual(file);
    const content = await client.files.content(file.id);
    expect(await content.text()).toBe(text);

    expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: "file", deleted: true });
    await expect(client.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("lists every file across several pages with for await", async () => {
    const client = localClient({ maxRetries: 2 });
    const uploaded: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { file } = writeJsonl(`page-${i}.jsonl`, 1);
      uploaded.push((await client.files.create({ file: fs.createReadStream(file), purpose: "evals" })).id);
    }
    const seen: string[] = [];
    for await (const file of client.files.list({ purpose: "evals", limit: 2 })) {
      seen.push(file.id);
    }
    // newest first: ids are ULIDs, so id order is creation order (to the millisecond)
    expect(seen.filter((id) => uploaded.includes(id))).toEqual([...uploaded].sort().reverse());

    let pages = 0;
    for await (const page of (await client.files.list({ purpose: "evals", limit: 2 })).iterPages()) {
      pages++;
      expect(page.data.length).toBeLessThanOrEqual(2);
    }
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it("maps 401 to AuthenticationError and 404 to NotFoundError with OpenAI's fields", async () => {
    await expect(localClient({ apiKey: "sk-wrong" }).files.list()).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const missing = await localClient()
      .files.retrieve("file-01J0000000000000000000000Z")
      .catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing).toMatchObject({ status: 404, param: "id", code: null, type: "invalid_request_error" });
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).requestID).toMatch(/^req_/);
    expect((missing as Error).message).toContain("No such File object: file-01J0000000000000000000000Z");
  });

  it("rejects a batch file that is not .jsonl with BadRequestError", async () => {
    const txt = path.join(dir, "requests.txt");
    fs.writeFileSync(txt, `${line(0)}\n`);
    const err = await localClient()
      .files.create({ file: fs.createReadStream(txt), purpose: "batch" })
      .catch((error: unknown) => error);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toBe("400 Invalid file format for Batch API. Must be .jsonl");
  });

  it("accepts a Python-style upload with purpose before file (fetch + FormData)", async () => {
    const text = `${line(1)}\n`;
    const form = new FormData();
    form.append("purpose", "batch");
    form.append("expires_after[anchor]", "created_at");
    form.append("expires_after[seconds]", "7200");
    form.append("file", new Blob([text]), "python.jsonl");
    const res = await fetch(`${origin()}/v1/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${inject("apiKey")}` },
      body: form,
    });
    expect(res.status).toBe(200);
    const file = (await res.json()) as OpenAI.FileObject;
    expect(file).toMatchObject({ filename: "python.jsonl", purpose: "batch", bytes: text.length });
    expect(file.expires_at).toBe(file.created_at + 7200);
    const download = await fetch(`${origin()}/v1/files/${file.id}/content`, {
      headers: { authorization: `Bearer ${inject("apiKey")}`, range: "bytes=0-13" },
    });
    expect(download.status).toBe(206);
    expect(await download.text()).toBe(text.slice(0, 14));
  });
});
