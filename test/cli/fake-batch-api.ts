import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OpenAI-compatible Files + Batches server for the CLI's own tests, so the whole CLI flow
 * is exercised without the Worker. It writes the output file in reverse input order (the CLI must
 * restore input order), fails lines whose body contains `[fake:fail]`, fails validation for lines
 * containing `[fake:invalid]`, and with metadata `fake=hold` stops after one line until cancelled
 * (`fake=stuck`: and then never finishes cancelling).
 */

type Counts = { total: number; completed: number; failed: number };
type FakeBatch = {
  id: string;
  object: "batch";
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  status: string;
  errors: {
    object: "list";
    data: { code: string; message: string; param: string | null; line: number }[];
  } | null;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  request_counts: Counts;
  metadata: Record<string, string> | null;
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
  /** How many PUTs to /blob/out.jsonl fail with 503 before one succeeds. */
  putFailures = 0;
  private server: Server | undefined;
  private progress = new Map<string, number>();
  private next = 0;

  constructor(readonly apiKey: string) {}

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
      res.writeHead(this.putAttempts.length <= this.putFailures ? 503 : 200).end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      fail(401, "Incorrect API key provided.");
      return;
    }
    const parts = url.pathname.split("/").filter(Boolean);
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
      batch.status = "cancelling";
      json(200, batch);
      return;
    }
    fail(404, `Invalid URL (${req.method} ${url.pathname})`);
  }

  private lines(batch: FakeBatch): { customId: string; text: string }[] {
    const content = this.files.get(batch.input_file_id)?.content ?? "";
    return content
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((text) => ({ customId: (JSON.parse(text) as { custom_id: string }).custom_id, text }));
  }

  private held(batch: FakeBatch): boolean {
    return batch.metadata?.fake === "hold" || batch.metadata?.fake === "stuck";
  }

  private advance(batch: FakeBatch): void {
    const lines = this.lines(batch);
    if (batch.status === "validating") {
      const invalid = lines.flatMap((l, i) =>
        l.text.includes("[fake:invalid]")
          ? [{ code: "invalid_request", message: "This line is not acceptable.", param: "body", line: i + 1 }]
          : [],
      );
      if (invalid.length > 0) {
        Object.assign(batch, { status: "failed", errors: { object: "list", data: invalid } });
        return;
      }
      // A held batch has run one line by the time it is seen in progress.
      const held = this.held(batch) ? 1 : 0;
      this.progress.set(batch.id, held);
      Object.assign(batch, {
        status: "in_progress",
        request_counts: { total: lines.length, completed: held, failed: 0 },
      });
      return;
    }
    const done = this.progress.get(batch.id) ?? 0;
    if (batch.status === "cancelling") {
      if (batch.metadata?.fake === "stuck") {
        return;
      }
      this.finish(batch, lines, done, "cancelled");
      return;
    }
    if (batch.status !== "in_progress") {
      return;
    }
    const now = this.held(batch) ? done : lines.length;
    this.progress.set(batch.id, now);
    const finished = lines.slice(0, now);
    const failed = finished.filter((l) => l.text.includes("[fake:fail]")).length;
    batch.request_counts = { total: lines.length, completed: now - failed, failed };
    if (now === lines.length) {
      this.finish(batch, lines, now, "completed");
    }
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
