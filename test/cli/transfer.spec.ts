import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CliError, EXIT } from "../../cli/lib/errors.mjs";
import { downloadToFile, putFileWithRetries } from "../../cli/lib/transfer.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "run-batch-transfer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let server: Server | undefined;

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<CliError> {
  const err = await promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe("putFileWithRetries", () => {
  const file = path.join(dir, "result.jsonl");
  const bytes = `${Array.from({ length: 2000 }, (_, i) => JSON.stringify({ custom_id: `r${i}`, n: "ü" })).join("\n")}\n`;
  writeFileSync(file, bytes);

  it("retries a PUT that fails twice, with exponential backoff, and sends the whole file", async () => {
    const attempts: { method?: string; length?: string; body: Buffer }[] = [];
    const url = await serve((req, body, res) => {
      attempts.push({ method: req.method, length: req.headers["content-length"], body });
      res.writeHead(attempts.length <= 2 ? 503 : 201).end();
    });
    const delays: number[] = [];
    const result = await putFileWithRetries(`${url}/out.jsonl`, file, {
      baseDelayMs: 250,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect(result).toEqual({ attempts: 3, status: 201 });
    expect(attempts).toHaveLength(3);
    expect(delays).toEqual([250, 500]);
    for (const attempt of attempts) {
      expect(attempt.method).toBe("PUT");
      expect(attempt.length).toBe(String(Buffer.byteLength(bytes)));
      expect(attempt.body.toString("utf8")).toBe(bytes);
    }
  });

  it("gives up after five attempts with a network error exit code", async () => {
    let calls = 0;
    const url = await serve((_req, _body, res) => {
      calls += 1;
      res.writeHead(500).end();
    });
    const err = await rejection(putFileWithRetries(`${url}/out`, file, { sleep: async () => {} }));
    expect(calls).toBe(5);
    expect(err.exitCode).toBe(EXIT.network);
    expect(err.message).toMatch(/HTTP 500/);
  });

  it("does not retry a status that cannot change, such as 403", async () => {
    let calls = 0;
    const url = await serve((_req, _body, res) => {
      calls += 1;
      res.writeHead(403).end();
    });
    const err = await rejection(putFileWithRetries(`${url}/out`, file, { sleep: async () => {} }));
    expect(calls).toBe(1);
    expect(err.message).toMatch(/HTTP 403/);
  });

  it("retries when nothing listens", async () => {
    const url = await serve((_req, _body, res) => res.end());
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const retries: string[] = [];
    const err = await rejection(
      putFileWithRetries(`${url}/out`, file, {
        attempts: 2,
        sleep: async () => {},
        onRetry: (r) => retries.push(r.reason),
      }),
    );
    expect(err.exitCode).toBe(EXIT.network);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/ECONNREFUSED/);
  });
});

describe("downloadToFile", () => {
  it("streams a GET to disk", async () => {
    const body = "x".repeat(3 * 1024 * 1024);
    let method: string | undefined;
    const url = await serve((req, _body, res) => {
      method = req.method;
      res.writeHead(200, { "content-type": "application/jsonl" });
      // Several writes: the body arrives in chunks, as a large download does.
      for (let i = 0; i < body.length; i += 65536) {
        res.write(body.slice(i, i + 65536));
      }
      res.end();
    });
    const dest = path.join(dir, "downloaded.jsonl");
    expect(await downloadToFile(`${url}/in.jsonl`, dest)).toBe(body.length);
    expect(readFileSync(dest, "utf8")).toBe(body);
    expect(method).toBe("GET");
  });

  it("calls a missing input an input error", async () => {
    const url = await serve((_req, _body, res) => res.writeHead(404).end());
    const err = await rejection(downloadToFile(`${url}/nope.jsonl`, path.join(dir, "nope.jsonl")));
    expect(err.exitCode).toBe(EXIT.usage);
    expect(err.message).toMatch(/nope\.jsonl: HTTP 404/);
  });

  it("calls an unreachable host a network error", async () => {
    const url = await serve((_req, _body, res) => res.end());
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const err = await rejection(downloadToFile(`${url}/in.jsonl`, path.join(dir, "x.jsonl")));
    expect(err.exitCode).toBe(EXIT.network);
  });
});
