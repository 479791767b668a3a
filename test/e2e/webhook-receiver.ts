import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One POST as the receiver saw it: raw body (what the signature covers), headers, arrival time. */
export type Received = { path: string; body: string; headers: Record<string, string>; at: number };

/**
 * A real HTTP webhook receiver on 127.0.0.1, as a user would run one. `answer` picks the status of
 * each request (it may await, e.g. to look at the API before acknowledging); every request is kept.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private server: Server | undefined;
  private port = 0;

  constructor(
    private readonly answer: (request: Received, index: number) => number | Promise<number> = () => 200,
  ) {}

  async listen(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      void this.handle(req).then(
        (status) => res.writeHead(status).end(),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  url(pathname = "/hook"): string {
    return `http://127.0.0.1:${this.port}${pathname}`;
  }

  /** The events received so far, parsed; `batchId` narrows them to one batch. */
  events(batchId?: string): Array<{ id: string; type: string; data: { id: string } }> {
    return this.received
      .map((r) => JSON.parse(r.body) as { id: string; type: string; data: { id: string } })
      .filter((event) => batchId === undefined || event.data.id === batchId);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") {
        headers[name] = value;
      }
    }
    const request = {
      path: req.url ?? "",
      body: Buffer.concat(chunks).toString("utf8"),
      headers,
      at: Date.now(),
    };
    this.received.push(request);
    return this.answer(request, this.received.length - 1);
  }
}

/** A port that nothing listens on right now (for a receiver that is down, then comes back). */
export async function closedPort(): Promise<number> {
  const probe = await new WebhookReceiver().listen();
  const port = Number(new URL(probe.url()).port);
  await probe.close();
  return port;
}
