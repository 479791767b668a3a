import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { FileObjectSchema } from "../../../src/schemas/file";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import {
  BATCH_LINE,
  chunkedStream,
  expectError,
  type FormPart,
  fileParts,
  multipartBody,
  postFile,
  storageSnapshot,
  uploadFile,
} from "../../helpers/files";
import { PROJECT_B } from "../../helpers/projects";

const THIRTY_DAYS = 30 * 24 * 60 * 60;

async function objectText(fileId: string): Promise<string | undefined> {
  return (await env.FILES_BUCKET.get(`files/${fileId}`))?.text();
}

describe("POST /v1/files", () => {
  it("stores a batch file sent purpose first (the Python SDK's order)", async () => {
    const content = `${BATCH_LINE}\n${BATCH_LINE}\n`;
    const [file, purpose] = fileParts({ content, filename: "requests.jsonl" });
    const res = await postFile(multipartBody([purpose!, file!]));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const body = FileObjectSchema.parse(res.body);
    expect(body).toMatchObject({
      object: "file",
      bytes: new TextEncoder().encode(content).length,
      filename: "requests.jsonl",
      purpose: "batch",
      status: "processed",
      status_details: null,
    });
    expect(body.id).toMatch(/^file-[0-9A-Z]{26}$/);
    expect(body.expires_at).toBe(body.created_at + THIRTY_DAYS);
    expect(await objectText(body.id)).toBe(content);
  });

  it("stores a file sent as a chunked stream with file first (the Node SDK's order)", async () => {
    const content = `${BATCH_LINE}\n`.repeat(500);
    const res = await postFile(chunkedStream(multipartBody(fileParts({ content })), 777));
    expect(res.status).toBe(200);
    const body = FileObjectSchema.parse(res.body);
    expect(body.bytes).toBe(content.length);
    expect(await objectText(body.id)).toBe(content);
  });

  it("accepts a body serialised by FormData, with any part content type", async () => {
    const form = new FormData();
    form.append("file", new File([`${BATCH_LINE}\n`], "form.jsonl", { type: "application/jsonl" }));
    form.append("purpose", "batch");
    const res = await call("POST", "/v1/files", { body: form });
    expect(res.status).toBe(200);
    expect(FileObjectSchema.parse(res.body)).toMatchObject({ filename: "form.jsonl", purpose: "batch" });
  });

  it("streams a file larger than one R2 part through a multipart upload", async () => {
    const line = `${BATCH_LINE}\n`;
    const content = line.repeat(Math.ceil((9 * 1024 * 1024) / line.length));
    const res = await postFile(chunkedStream(multipartBody(fileParts({ content })), 64 * 1024));
    expect(res.status).toBe(200);
    const body = FileObjectSchema.parse(res.body);
    expect(body.bytes).toBe(content.length);
    const stored = await env.FILES_BUCKET.head(`files/${body.id}`);
    expect(stored?.size).toBe(content.length);
  });

  it.each([
    ["assistants", "notes.txt", null],
    ["user_data", "data.bin", null],
    ["fine-tune", "train.jsonl", null],
    ["vision", "image.png", null],
    ["evals", "evals.jsonl", null],
  ])("stores purpose %s with no expiry by default", async (purpose, filename, expiresAt) => {
    const file = await uploadFile({ purpose, filename, content: "not json at all" });
    expect(file).toMatchObject({ purpose, filename, expires_at: expiresAt });
  });

  it("sets expires_at from expires_after[anchor] and expires_after[seconds]", async () => {
    const parts = fileParts({
      purpose: "user_data",
      extra: [
        { name: "expires_after[anchor]", value: "created_at" },
        { name: "expires_after[seconds]", value: "3600" },
      ],
    });
    const res = await postFile(multipartBody(parts));
    const body = FileObjectSchema.parse(res.body);
    expect(body.expires_at).toBe(body.created_at + 3600);
  });

  it("keeps the name and ignores a client path, padding after the boundary and a preamble", async () => {
    const raw = multipartBody(fileParts({ filename: "C:\\Users\\me\\batch.jsonl" })).slice();
    const text = new TextDecoder().decode(raw).replace(/(--[^\r]+)\r\n/, "$1  \t\r\n");
    const res = await postFile(`preamble to ignore\r\n${text}`);
    expect(res.status).toBe(200);
    expect(FileObjectSchema.parse(res.body).filename).toBe("batch.jsonl");
  });

  it.each([
    ["ESC, BEL and DEL sent raw", 'filename="\u001b[31mred\u0007\u007f.jsonl"', "[31mred.jsonl"],
    ["NUL, CR and LF sent in filename*", "filename*=UTF-8''evil%00name%0D%0A.jsonl", "evilname.jsonl"],
    ["a tab and a C1 control in filename*", "filename*=UTF-8''a%09b%C2%85c.jsonl", "abc.jsonl"],
  ])("stores a filename without the control characters of %s", async (_label, param, stored) => {
    const text = new TextDecoder()
      .decode(multipartBody(fileParts({})))
      .replace('filename="input.jsonl"', param);
    const res = await postFile(text);
    expect(res.status).toBe(200);
    const file = FileObjectSchema.parse(res.body);
    expect(file.filename).toBe(stored);
    expect(FileObjectSchema.parse((await call("GET", `/v1/files/${file.id}`)).body).filename).toBe(stored);
  });

  it("keeps a boundary-like string inside the content", async () => {
    const boundary = "XyZ-boundary";
    const content = `${BATCH_LINE}\n--${boundary}\r\n--${boundary}x\r\n\r\n--${boundary}-\n`;
    const res = await postFile(multipartBody(fileParts({ content }), boundary), { boundary });
    expect(res.status).toBe(200);
    expect(await objectText(FileObjectSchema.parse(res.body).id)).toBe(content);
  });

  describe("Idempotency-Key", () => {
    it("returns the first file for a retried upload", async () => {
      const headers = { "idempotency-key": `retry-${crypto.randomUUID()}` };
      const first = await postFile(multipartBody(fileParts({})), { headers });
      const before = await storageSnapshot();
      const second = await postFile(multipartBody(fileParts({})), { headers });
      expect(second.status).toBe(200);
      expect(FileObjectSchema.parse(second.body).id).toBe(FileObjectSchema.parse(first.body).id);
      expect(await storageSnapshot()).toEqual(before);
    });

    it("keeps one file when two uploads with one key race, the loser cleaning up", async () => {
      const headers = { "idempotency-key": `race-${crypto.randomUUID()}` };
      const before = await storageSnapshot();
      let open = (): void => undefined;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      let pulled = 0;
      // both requests get past the key lookup before either body ends, so both upload and race to claim
      const gatedBody = () => {
        const bytes = multipartBody(fileParts({}));
        return new ReadableStream<Uint8Array>({
          async pull(controller) {
            pulled++;
            await gate;
            controller.enqueue(bytes);
            controller.close();
          },
        });
      };
      const requests = [postFile(gatedBody(), { headers }), postFile(gatedBody(), { headers })];
      await vi.waitUntil(() => pulled === 2);
      open();
      const [a, b] = await Promise.all(requests);
      expect(a?.status).toBe(200);
      expect(b?.status).toBe(200);
      expect(FileObjectSchema.parse(a?.body).id).toBe(FileObjectSchema.parse(b?.body).id);
      const after = await storageSnapshot();
      expect(after.rows.length - before.rows.length).toBe(1);
      expect(after.objects.length - before.objects.length).toBe(1);
    });

    it("answers 400 for a key longer than 255 characters", async () => {
      const res = await postFile(multipartBody(fileParts({})), {
        headers: { "idempotency-key": "k".repeat(256) },
      });
      expectError(res, 400, { param: "idempotency-key" });
    });

    it("does not share a key across projects", async () => {
      const headers = { "idempotency-key": `shared-${crypto.randomUUID()}` };
      const a = await postFile(multipartBody(fileParts({})), { headers });
      const b = await postFile(multipartBody(fileParts({})), { headers, key: PROJECT_B.key });
      expect(FileObjectSchema.parse(b.body).id).not.toBe(FileObjectSchema.parse(a.body).id);
    });

    it("uploads anew once the first file is deleted", async () => {
      const headers = { "idempotency-key": `deleted-${crypto.randomUUID()}` };
      const first = FileObjectSchema.parse((await postFile(multipartBody(fileParts({})), { headers })).body);
      expect((await call("DELETE", `/v1/files/${first.id}`)).status).toBe(200);
      const second = await postFile(multipartBody(fileParts({})), { headers });
      expect(second.status).toBe(200);
      expect(FileObjectSchema.parse(second.body).id).not.toBe(first.id);
    });
  });

  describeAuthCases((key) => postFile(multipartBody(fileParts({})), { key }));

  it("stores nothing for a request without a valid key", async () => {
    const before = await storageSnapshot();
    const res = await postFile(multipartBody(fileParts({})), { key: null });
    expect(res.status).toBe(401);
    expect(await storageSnapshot()).toEqual(before);
  });
});

const ok = (parts: Partial<{ content: string; filename: string; purpose: string }> = {}) => fileParts(parts);
const without = (name: string, parts: FormPart[] = ok()) => parts.filter((part) => part.name !== name);

describe("POST /v1/files rejects bad uploads and leaves nothing behind", () => {
  const cases: Array<
    [string, FormPart[], { message: string | RegExp; param?: string | null; code?: string | null }]
  > = [
    ["a missing file", without("file"), { message: "Missing required parameter: 'file'.", param: "file" }],
    [
      "a missing purpose",
      without("purpose"),
      {
        message: "Missing required parameter: 'purpose'.",
        param: "purpose",
        code: "missing_required_parameter",
      },
    ],
    [
      "an unknown purpose",
      ok({ purpose: "batch_output" }),
      { message: /^Invalid value: 'batch_output'/, param: "purpose", code: "invalid_value" },
    ],
    [
      "a batch file without .jsonl",
      ok({ filename: "requests.txt" }),
      { message: "Invalid file format for Batch API. Must be .jsonl", param: null, code: null },
    ],
    [
      "a .txt batch file sent purpose first",
      [...ok({ filename: "requests.txt" })].reverse(),
      { message: "Invalid file format for Batch API. Must be .jsonl", param: null, code: null },
    ],
    ["an empty batch file", ok({ content: "" }), { message: /invalid file format.*jsonl/i, code: null }],
    [
      "a non-JSON first line",
      ok({ content: "{malformed json\n{}\n" }),
      { message: /invalid file format.*jsonl/i },
    ],
    [
      "a first line that is not an object",
      ok({ content: "[1,2]\n" }),
      { message: /invalid file format.*jsonl/i },
    ],
    [
      "an anchor without seconds",
      [...ok(), { name: "expires_after[anchor]", value: "created_at" }],
      { message: "Missing required parameter: 'expires_after.seconds'.", param: "expires_after.seconds" },
    ],
    [
      "an unknown anchor",
      [
        ...ok(),
        { name: "expires_after[anchor]", value: "now" },
        { name: "expires_after[seconds]", value: "3600" },
      ],
      { message: /^Invalid value: 'now'/, param: "expires_after.anchor", code: "invalid_value" },
    ],
    ...(["3599", "2592001", "1.5", "abc", ""].map((seconds) => [
      `expires_after[seconds]=${JSON.stringify(seconds)}`,
      [
        ...ok(),
        { name: "expires_after[anchor]", value: "created_at" },
        { name: "expires_after[seconds]", value: seconds },
      ],
      { message: /^Invalid 'expires_after.seconds'/, param: "expires_after.seconds", code: "invalid_value" },
    ]) as Array<[string, FormPart[], { message: RegExp; param: string; code: string }]>),
    ...([
      ["two purpose fields", "purpose", "batch", "purpose"],
      ["two purpose fields that disagree", "purpose", "user_data", "purpose"],
      ["two expires_after[seconds] fields", "expires_after[seconds]", "7200", "expires_after.seconds"],
    ].map(([label = "", name = "", value = "", param = ""]) => [
      label,
      [
        ...ok(),
        { name: "expires_after[anchor]", value: "created_at" },
        { name: "expires_after[seconds]", value: "3600" },
        { name, value },
      ],
      { message: `Only one '${name}' field may be sent.`, param, code: "invalid_value" },
    ]) as Array<[string, FormPart[], { message: string; param: string; code: string }]>),
    [
      "two file parts",
      [...ok(), { name: "file", value: "{}", filename: "b.jsonl" }],
      { message: "Only one 'file' part may be uploaded.", param: "file" },
    ],
  ];

  it.each(cases)("answers 400 for %s", async (_label, parts, expected) => {
    const before = await storageSnapshot();
    for (const body of [multipartBody(parts), chunkedStream(multipartBody(parts), 5)]) {
      const res = await postFile(body);
      expectError(res, 400, expected);
    }
    expect(await storageSnapshot()).toEqual(before);
  });
});
