import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OpenAI-compatible Files + Batches + Models server for the CLI's own tests, so the whole
 * CLI flow is exercised without the Worker. Like the real server it accepts a UTF-8 BOM before the
 * first line and fails validation of a batch whose `model` it does not serve. It writes the output
 * file in reverse input order (the CLI must restore input order), fails lines whose body contains
 * `[fake:fail]`, fails validation for lines containing `[fake:invalid]`. Metadata `fake=…` holds a
 * batch until it is cancelled (or `release`d):
 * - `hold`: after one line has run; `stuck`: the same, and then it never finishes cancelling;
 * - `inflight`: every line dispatched and still running, so a cancel stops nothing;
 * - `finalizing`: every line has run and the files are being written, so a cancel is too late.
 */

type Counts = { total: number; completed: number; failed: number };
type BatchError = { code: string; message: string; param: string | null; line: number | null };
type FakeBatch = {
  id: string;
  object: "batch";
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  status: string;
  errors: { object: "list"; data: BatchError[] } | null;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  request_counts: Counts;
  metadata: Record<string, string> | null;
  /** The create extension: the batch's base model. */
  model: string | null;
};

export type CreateCall = { body: Record<string, unknown>; idempotencyKey: string | undefined };

export class FakeBatchApi {
  readonly files = new Map<string, { filename: string; content: string }>();
  readonly batches = new Map<string, FakeBatch>();
  readonly creates: CreateCall[] = [];
  readonly cancels: string[] = [];
  readonly putAttempts: Buffer[] = [];
  retrieves = 0;
  /** Served at GET /blob/in.jsonl. */
  blob = "";
  /** How many PUTs to /blob/out.jsonl fail (with `putFailureStatus`) before one succeeds. */
  putFailures = 0;
  putFailureStatus = 503;
  private server: Server | undefined;
  private progress = new Map<string, number>();
  private next = 0;

  /** @param models the model ids served at /v1/models */
  constructor(
    readonly apiKey: string,
    readonly models: readonly string[] = [],
  ) {}

  /** Lets a held batch go on: a held one completes, a stuck cancel finishes. */
  release(batchId: string): void {
    const batch = this.batches.get(batchId);
    if (batch?.metadata) {
      delete batch.metadata.fake;
    }
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private id(prefix: string): string {
    this.next += 1;
    return `${prefix}${this.next}`;
  }

  private handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (status: number, value: unknown) =>
      res
        .writeHead(status, { "content-type": "application/json", "x-request-id": "req_fake" })
        .end(JSON.stringify(value));
    const fail = (status: number, message: string) =>
      json(status, { error: { message, type: "invalid_request_error", param: null, code: null } });

    if (url.pathname === "/blob/in.jsonl" && req.method === "GET") {
      res.writeHead(200).end(this.blob);
      return;
    }
    if (url.pathname === "/blob/out.jsonl" && req.method === "PUT") {
      this.putAttempts.push(body);
      res.writeHead(this.putAttempts.length <= this.putFailures ? this.putFailureStatus : 200).end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      fail(401, "Incorrect API key provided.");
      return;
    }
    const parts = url.pathname.split("/").filter(Boolean);
    if (req.method === "GET" && url.pathname === "/v1/models") {
      json(200, { object: "list", data: this.models.map((id) => model(id)) });
      return;
    }
    if (req.method === "GET" && parts[1] === "models" && parts.length === 3) {
      const id = decodeURIComponent(parts[2] ?? "");
      if (this.models.includes(id)) {
        json(200, model(id));
      } else {
        json(404, {
          error: {
            message: `The model '${id}' does not exist`,
            type: "invalid_request_error",
            param: "model",
            code: "model_not_found",
          },
        });
      }
      return;
    }
    if (req.method === "POST" && url.pathname === "/v1/files") {
      const file = parseUpload(req.headers["content-type"] ?? "", body);
      if (!file.filename.endsWith(".jsonl")) {
        fail(400, "Invalid file format for Batch API. Must be .jsonl");
        return;
      }
      const id = this.id("file-");
      this.files.set(id, file);
      json(200, {
        id,
        object: "file",
        bytes: file.content.length,
        created_at: 0,
        filename: file.filename,
        purpose: "batch",
        status: "processed",
      });
      return;
    }
    if (req.method === "GET" && parts[1] === "files" && parts[3] === "content") {
      const file = this.files.get(parts[2] ?? "");
      file
        ? res.writeHead(200, { "content-type": "application/octet-stream" }).end(file.content)
        : fail(404, "No such File object");
      return;
    }
    if (req.method === "POST" && url.pathname === "/v1/batches") {
      const params = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      const idempotencyKey = req.headers["idempotency-key"];
      this.creates.push({
        body: params,
        idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : undefined,
      });
      const batch: FakeBatch = {
        id: this.id("batch_"),
        object: "batch",
        endpoint: String(params.endpoint),
        input_file_id: String(params.input_file_id),
        completion_window: String(params.completion_window),
        status: "validating",
        errors: null,
        output_file_id: null,
        error_file_id: null,
        created_at: 0,
        request_counts: { total: 0, completed: 0, failed: 0 },
        metadata: (params.metadata as Record<string, string> | undefined) ?? null,
        model: typeof params.model === "string" ? params.model : null,
      };
      this.batches.set(batch.id, batch);
      this.progress.set(batch.id, 0);
      json(200, batch);
      return;
    }
    const batch = parts[1] === "batches" ? this.batches.get(parts[2] ?? "") : undefined;
    if (batch && req.method === "GET" && parts.length === 3) {
      this.retrieves += 1;
      this.advance(batch);
      json(200, batch);
      return;
    }
    if (batch && req.method === "POST" && parts[3] === "cancel") {
      this.cancels.push(batch.id);
      if (["completed", "failed", "expired"].includes(batch.status)) {
        fail(409, `Cannot cancel a batch with status '${batch.status}'.`);
        return;
      }
      if (batch.status === "finalizing") {
        // Like the real server: every line has run and the files are being written, so there is
        // nothing left to stop; the batch completes.
        this.release(batch.id);
      } else {
        batch.status = "cancelling";
      }
      json(200, batch);
      return;
    }
    fail(404, `Invalid URL (${req.method} ${url.pathname})`);
  }

  private lines(batch: FakeBatch): { customId: string; text: string }[] {
    const content = (this.files.get(batch.input_file_id)?.content ?? "").replace(/^\uFEFF/, "");
    return content
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((text) => ({ customId: (JSON.parse(text) as { custom_id: string }).custom_id, text }));
  }

  private mode(batch: FakeBatch): string | undefined {
    return batch.metadata?.fake;
  }

  private advance(batch: FakeBatch): void {
    const lines = this.lines(batch);
    const mode = this.mode(batch);
    if (batch.status === "validating") {
      const invalid: BatchError[] = lines.flatMap((l, i) =>
        l.text.includes("[fake:invalid]")
          ? [{ code: "invalid_request", message: "This line is not acceptable.", param: "body", line: i + 1 }]
          : [],
      );
      if (batch.model !== null && !this.models.includes(batch.model)) {
        invalid.push({
          code: "model_not_found",
          message: `The provided model '${batch.model}' is not supported by the Batch API.`,
          param: "model",
          line: null,
        });
      }
      if (invalid.length > 0) {
        Object.assign(batch, { status: "failed", errors: { object: "list", data: invalid } });
        return;
      }
      // How far a held batch has got by the time it is first seen running; in-flight lines have
      // run (they finish even after a cancel) but are not counted yet.
      const ran = mode === "hold" || mode === "stuck" ? 1 : mode === undefined ? 0 : lines.length;
      const recorded = mode === "inflight" ? 0 : ran;
      this.progress.set(batch.id, ran);
      Object.assign(batch, {
        status: mode === "finalizing" ? "finalizing" : "in_progress",
        request_counts: { total: lines.length, completed: recorded, failed: 0 },
      });
      return;
    }
    const done = this.progress.get(batch.id) ?? 0;
    if (batch.status === "cancelling") {
      if (mode !== "stuck") {
        this.finish(batch, lines, done, "cancelled");
      }
      return;
    }
    if (batch.status === "finalizing" && mode !== "finalizing") {
      this.finish(batch, lines, done, "completed");
      return;
    }
    if (batch.status !== "in_progress" || mode !== undefined) {
      return;
    }
    this.progress.set(batch.id, lines.length);
    this.finish(batch, lines, lines.length, "completed");
  }

  private finish(
    batch: FakeBatch,
    lines: { customId: string; text: string }[],
    done: number,
    status: string,
  ): void {
    const ok: string[] = [];
    const bad: string[] = [];
    for (const [i, { customId, text }] of lines.entries()) {
      const line = (response: unknown, error: unknown) =>
        JSON.stringify({ id: `batch_req_${i}`, custom_id: customId, response, error });
      if (i >= done) {
        bad.push(
          line(null, {
            code: "batch_cancelled",
            message: "The batch was cancelled before this request executed.",
          }),
        );
      } else if (text.includes("[fake:fail]")) {
        bad.push(
          line(
            {
              status_code: 400,
              request_id: `req_${i}`,
              body: { error: { message: "no", type: "invalid_request_error" } },
            },
            null,
          ),
        );
      } else {
        ok.push(
          line(
            {
              status_code: 200,
              request_id: `req_${i}`,
              body: { id: `chatcmpl-${i}`, object: "chat.completion" },
            },
            null,
          ),
        );
      }
    }
    const save = (rows: string[]) => {
      if (rows.length === 0) {
        return null;
      }
      const id = this.id("file-");
      this.files.set(id, { filename: "out.jsonl", content: `${rows.reverse().join("\n")}\n` });
      return id;
    };
    Object.assign(batch, {
      status,
      output_file_id: save(ok),
      error_file_id: save(bad),
      request_counts: { total: lines.length, completed: ok.length, failed: bad.length },
    });
  }
}

function parseUpload(contentType: string, body: Buffer): { filename: string; content: string } {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
  if (!boundary) {
    throw new Error(`not multipart: ${contentType}`);
  }
  for (const part of body.toString("utf8").split(`--${boundary}`)) {
    const split = part.indexOf("\r\n\r\n");
    const headers = part.slice(0, split);
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    if (split !== -1 && filename !== undefined) {
      return { filename, content: part.slice(split + 4, part.length - 2) };
    }
  }
  throw new Error("no file part");
}

function model(id: string): { id: string; object: "model"; created: number; owned_by: string } {
  return { id, object: "model", created: 0, owned_by: "fake" };
}
