import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../cli/run-cli";
import { localClient } from "./helpers";

// The run-batch CLI, spawned as a user runs it, against the local stack that global-setup starts.

const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";
const dir = mkdtempSync(path.join(tmpdir(), "run-batch-e2e-"));

type OutputLine = {
  id: string;
  custom_id: string;
  response: { status_code: number; body: Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
};

function request(customId: string, prompt: string, model: string | undefined = MODEL): string {
  const body = {
    ...(model === undefined ? {} : { model }),
    messages: [{ role: "user", content: prompt }],
    max_tokens: 16,
  };
  return JSON.stringify({ custom_id: customId, method: "POST", url: "/v1/chat/completions", body });
}

function input(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

function parseJsonl(text: string): OutputLine[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OutputLine);
}

function cli(args: string[], env: Record<string, string> = {}) {
  return runCli([...args, "--poll-interval", "0.2"], {
    OPENAI_BASE_URL: `${inject("origin")}/v1`,
    OPENAI_API_KEY: inject("apiKey"),
    ...env,
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A loopback file host: GET /in.jsonl serves `input`; PUT /out.jsonl fails `putFailures` times first. */
const host = { input: "", putFailures: 0, puts: [] as Buffer[], origin: "" };
let hostServer: Server;

beforeAll(async () => {
  hostServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "GET" && req.url === "/in.jsonl") {
        res.writeHead(200, { "content-type": "application/jsonl" }).end(host.input);
      } else if (req.method === "PUT" && req.url === "/out.jsonl") {
        host.puts.push(Buffer.concat(chunks));
        res.writeHead(host.puts.length <= host.putFailures ? 503 : 200).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => hostServer.listen(0, "127.0.0.1", resolve));
  host.origin = `http://127.0.0.1:${(hostServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => hostServer.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("run-batch CLI against the local stack", () => {
  it("runs a batch from a local file to a local file, filling --model, exit 0", async () => {
    const file = input("ok.jsonl", [
      request("a", "Say one.", undefined),
      request("b", "Say two."),
      request("c", "Say three."),
    ]);
    const out = path.join(dir, "ok-out.jsonl");
    const { code, stderr } = await cli(["-i", file, "-o", out, "--model", MODEL, "--metadata", "suite=e2e"])
      .result;
    expect(stderr).toMatch(/completed in \d+s: 3 ok, 0 failed of 3/);
    expect(code).toBe(0);
    const lines = parseJsonl(readFileSync(out, "utf8"));
    expect(lines.map((l) => l.custom_id)).toEqual(["a", "b", "c"]);
    for (const line of lines) {
      expect(line.error).toBeNull();
      expect(line.response?.status_code).toBe(200);
      expect(line.response?.body.object).toBe("chat.completion");
    }
  });

  it("exits 1 when a line fails, keeping it in place in the output", async () => {
    const file = input("fail.jsonl", [
      request("f1", "fine"),
      request("f2", "[sim:fail=5007] broken"),
      request("f3", "fine"),
    ]);
    const out = path.join(dir, "fail-out.jsonl");
    const { code, stderr } = await cli(["-i", file, "-o", out]).result;
    expect(stderr).toMatch(/2 ok, 1 failed of 3/);
    expect(code).toBe(1);
    const lines = parseJsonl(readFileSync(out, "utf8"));
    expect(lines.map((l) => l.custom_id)).toEqual(["f1", "f2", "f3"]);
    expect(lines[0]?.response?.status_code).toBe(200);
    expect(lines[1]?.response?.status_code ?? 0).toBeGreaterThanOrEqual(400);
    expect(lines[2]?.response?.status_code).toBe(200);
  });

  it("writes failed lines to --error-file when given", async () => {
    const file = input("split.jsonl", [request("s1", "[sim:fail=5007] broken"), request("s2", "fine")]);
    const out = path.join(dir, "split-out.jsonl");
    const errors = path.join(dir, "split-errors.jsonl");
    const { code } = await cli(["-i", file, "-o", out, "--error-file", errors]).result;
    expect(code).toBe(1);
    expect(parseJsonl(readFileSync(out, "utf8")).map((l) => l.custom_id)).toEqual(["s2"]);
    expect(parseJsonl(readFileSync(errors, "utf8")).map((l) => l.custom_id)).toEqual(["s1"]);
  });

  it("exits 2 on bad input, naming the lines, before any upload", async () => {
    const client = localClient();
    const before = (await client.files.list()).data.length;
    const file = input("bad.jsonl", [request("x", "one"), request("x", "two"), '{"custom_id": 3']);
    const { code, stderr } = await cli(["-i", file, "-o", path.join(dir, "bad-out.jsonl")]).result;
    expect(code).toBe(2);
    expect(stderr).toContain("line 2: duplicate custom_id 'x' (first used on line 1)");
    expect(stderr).toContain("line 3: not valid JSON");
    expect((await client.files.list()).data.length).toBe(before);
  });

  it("reads the input from a URL and PUTs the output to a URL that fails twice first", async () => {
    host.input = `${[request("u1", "one"), request("u2", "two")].join("\n")}\n`;
    host.putFailures = 2;
    host.puts = [];
    const { code, stderr } = await cli(["-i", `${host.origin}/in.jsonl`, "-o", `${host.origin}/out.jsonl`])
      .result;
    expect(stderr).toMatch(/attempt 2: HTTP 503/);
    expect(code).toBe(0);
    expect(host.puts).toHaveLength(3);
    const lines = parseJsonl(host.puts[2]!.toString("utf8"));
    expect(lines.map((l) => [l.custom_id, l.response?.status_code])).toEqual([
      ["u1", 200],
      ["u2", 200],
    ]);
  });

  it("prints the batch id with --detach and leaves the batch running on the server", async () => {
    const file = input("detach.jsonl", [request("d1", "one")]);
    const { code, stdout } = await cli(["-i", file, "--detach"]).result;
    expect(code).toBe(0);
    const id = stdout.trim();
    expect(id).toMatch(/^batch_/);
    const batch = await localClient().batches.retrieve(id);
    expect(batch).toMatchObject({ id, endpoint: "/v1/chat/completions" });
  });

  it("cancels on Ctrl-C once the batch is in progress and still writes the partial output, exit 3", async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `slow-${i}`);
    const file = input(
      "slow.jsonl",
      ids.map((id) => request(id, `[sim:latency=1000] line ${id}`)),
    );
    const out = path.join(dir, "slow-out.jsonl");
    const run = cli(["-i", file, "-o", out]);
    await run.stderrMatches(/batch_\S+ in_progress/);
    run.child.kill("SIGINT");
    const { code, stderr } = await run.result;
    expect(stderr).toMatch(/cancelling batch_/);
    expect(code).toBe(3);
    const lines = parseJsonl(readFileSync(out, "utf8"));
    expect(lines.map((l) => l.custom_id)).toEqual(ids);
    expect(lines.some((l) => l.error?.code === "batch_cancelled")).toBe(true);
    for (const line of lines) {
      expect(line.response?.status_code === 200 || line.error !== null).toBe(true);
    }
  });

  it("exits 4 when the key is refused or the server cannot be reached", async () => {
    const file = input("auth.jsonl", [request("k1", "one")]);
    const refused = await cli(["-i", file, "-o", path.join(dir, "auth-out.jsonl")], {
      OPENAI_API_KEY: "sk-wrong",
    }).result;
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/refused the API key/);

    const closed = `http://127.0.0.1:${await closedPort()}/v1`;
    const unreachable = await cli(["-i", file, "-o", path.join(dir, "auth-out.jsonl")], {
      OPENAI_BASE_URL: closed,
    }).result;
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toMatch(/cannot reach/);
  });
});
