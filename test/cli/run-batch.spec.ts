import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeBatchApi } from "./fake-batch-api";
import { runCli } from "./run-cli";

// The whole CLI, spawned as a process, against a fake Batch API (see fake-batch-api.ts). The same
// flows run against the real local stack in test/e2e/run-batch.e2e.test.ts.

const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";
const KEY = "sk-test";
const api = new FakeBatchApi(KEY, [MODEL]);
let origin = "";
const dir = mkdtempSync(path.join(tmpdir(), "run-batch-cli-"));

beforeAll(async () => {
  origin = await api.start();
});
afterAll(async () => {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
});

function request(customId: string, prompt: string, model: string | undefined = MODEL): string {
  const body = { ...(model === undefined ? {} : { model }), messages: [{ role: "user", content: prompt }] };
  return JSON.stringify({ custom_id: customId, method: "POST", url: "/v1/chat/completions", body });
}

function input(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

function readJsonl(
  file: string,
): { custom_id: string; response: { status_code: number } | null; error: { code: string } | null }[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

function cli(args: string[]) {
  return runCli([...args, "--poll-interval", "0.05"], {
    OPENAI_BASE_URL: `${origin}/v1`,
    OPENAI_API_KEY: KEY,
  });
}

describe("run-batch against a fake Batch API", () => {
  it("runs a batch and writes every line in input order, exit 0", async () => {
    const file = input("ok.json", [
      request("a", "one", undefined),
      request("b", "two"),
      request("c", "three"),
    ]);
    const out = path.join(dir, "ok-out.jsonl");
    const run = cli([
      "-i",
      file,
      "-o",
      out,
      "--model",
      MODEL,
      "--metadata",
      "team=ml",
      "--webhook-url",
      "https://h.example/x",
    ]);
    const { code, stderr } = await run.result;
    expect(stderr).toMatch(/completed .*3 ok, 0 failed of 3/);
    expect(code).toBe(0);
    expect(readJsonl(out).map((l) => [l.custom_id, l.response?.status_code])).toEqual([
      ["a", 200],
      ["b", 200],
      ["c", 200],
    ]);
    const create = api.creates.at(-1)!;
    expect(create.body).toMatchObject({
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      model: MODEL,
      metadata: { team: "ml" },
      webhook_url: "https://h.example/x",
    });
    expect(create.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const uploaded = api.files.get(String(create.body.input_file_id))!;
    expect(uploaded.filename).toBe("ok.jsonl");
    expect(JSON.parse(uploaded.content.split("\n")[0]!).body.model).toBe(MODEL);
  });

  it("exits 1 when some lines fail, keeping them in place or in --error-file", async () => {
    const file = input("some-fail.jsonl", [
      request("a", "fine"),
      request("b", "[fake:fail]"),
      request("c", "fine"),
    ]);
    const out = path.join(dir, "some-fail-out.jsonl");
    const first = await cli(["-i", file, "-o", out]).result;
    expect(first.code).toBe(1);
    expect(readJsonl(out).map((l) => [l.custom_id, l.response?.status_code])).toEqual([
      ["a", 200],
      ["b", 400],
      ["c", 200],
    ]);

    const errors = path.join(dir, "some-fail-errors.jsonl");
    const second = await cli(["-i", file, "-o", out, "--error-file", errors]).result;
    expect(second.code).toBe(1);
    expect(readJsonl(out).map((l) => l.custom_id)).toEqual(["a", "c"]);
    expect(readJsonl(errors).map((l) => l.custom_id)).toEqual(["b"]);
  });

  it("accepts a UTF-8 BOM before the first line, as the server does, filled in or not", async () => {
    const BOM = "\uFEFF";
    const asIs = input("bom.jsonl", [`${BOM}${request("a", "one")}`, request("b", "two")]);
    const filled = input("bom-fill.jsonl", [`${BOM}${request("a", "one", undefined)}`, request("b", "two")]);
    for (const file of [asIs, filled]) {
      const out = `${file}.out`;
      const { code, stderr } = await cli(["-i", file, "-o", out, "--model", MODEL]).result;
      expect(stderr).not.toMatch(/not valid JSON/);
      expect(code).toBe(0);
      expect(readJsonl(out).map((l) => [l.custom_id, l.response?.status_code])).toEqual([
        ["a", 200],
        ["b", 200],
      ]);
    }
  });

  it("checks --model before uploading and stops at once on a model the server does not serve, exit 2", async () => {
    const uploads = api.files.size;
    const creates = api.creates.length;
    const file = input("unknown-model.jsonl", [request("a", "x", undefined)]);
    const { code, stderr } = await cli([
      "-i",
      file,
      "-o",
      path.join(dir, "unknown-model-out.jsonl"),
      "--model",
      "@cf/meta/llama-9-nope",
    ]).result;
    expect(code).toBe(2);
    expect(stderr).toMatch(/--model: the server has no model '@cf\/meta\/llama-9-nope'/);
    expect(stderr).toMatch(/nothing was uploaded/);
    expect(api.files.size).toBe(uploads);
    expect(api.creates.length).toBe(creates);
  });

  it("resolves relative paths against the folder `npm run run-batch` was started from", async () => {
    const user = mkdtempSync(path.join(dir, "user-"));
    mkdirSync(path.join(user, "data"));
    writeFileSync(path.join(user, "data", "in.jsonl"), `${request("r1", "x")}\n`);
    const run = runCli(
      ["-i", "data/in.jsonl", "-o", "data/out.jsonl", "--poll-interval", "0.05"],
      { OPENAI_BASE_URL: `${origin}/v1`, OPENAI_API_KEY: KEY },
      { via: "npm", cwd: user },
    );
    const { code, stderr } = await run.result;
    expect(stderr).toMatch(/completed/);
    expect(code).toBe(0);
    expect(readJsonl(path.join(user, "data", "out.jsonl")).map((l) => l.custom_id)).toEqual(["r1"]);
  });

  it("exits 2 on bad input before uploading anything", async () => {
    const uploads = api.files.size;
    const file = input("dup.jsonl", [request("a", "x"), "not json", request("a", "y")]);
    const { code, stderr } = await cli(["-i", file, "-o", path.join(dir, "never.jsonl")]).result;
    expect(code).toBe(2);
    expect(stderr).toContain("line 2: not valid JSON");
    expect(stderr).toContain("line 3: duplicate custom_id 'a' (first used on line 1)");
    expect(api.files.size).toBe(uploads);
  });

  it("exits 3 with the server's line numbers when the batch fails validation", async () => {
    const file = input("invalid.jsonl", [request("a", "x"), request("b", "[fake:invalid]")]);
    const out = path.join(dir, "invalid-out.jsonl");
    const { code, stderr } = await cli(["-i", file, "-o", out]).result;
    expect(code).toBe(3);
    expect(stderr).toMatch(/line 2: This line is not acceptable\. \[invalid_request\]/);
  });

  it("exits 4 when the key is refused", async () => {
    const file = input("key.jsonl", [request("a", "x")]);
    const run = runCli(["-i", file, "-o", path.join(dir, "key-out.jsonl")], {
      OPENAI_BASE_URL: `${origin}/v1`,
      OPENAI_API_KEY: "sk-wrong",
    });
    const { code, stderr } = await run.result;
    expect(code).toBe(4);
    expect(stderr).toMatch(/refused the API key.*OPENAI_API_KEY/);
  });

  it("prints the batch id and exits 0 with --detach, without waiting", async () => {
    const retrieves = api.retrieves;
    const file = input("detach.jsonl", [request("a", "x")]);
    const { code, stdout } = await cli(["-i", file, "--detach"]).result;
    expect(code).toBe(0);
    const id = stdout.trim();
    expect(api.batches.get(id)?.status).toBe("validating");
    expect(api.retrieves).toBe(retrieves);
  });

  it("reads the input from a URL and PUTs the output, retrying failed PUTs", async () => {
    api.blob = `${[request("u1", "x"), request("u2", "y")].join("\n")}\n`;
    api.putFailures = 2;
    const { code, stderr } = await cli(["-i", `${origin}/blob/in.jsonl`, "-o", `${origin}/blob/out.jsonl`])
      .result;
    expect(stderr).toMatch(/attempt 1: HTTP 503/);
    expect(code).toBe(0);
    expect(api.putAttempts).toHaveLength(3);
    const uploaded = api.putAttempts[2]!.toString("utf8").split("\n").filter(Boolean);
    expect(uploaded.map((l) => JSON.parse(l).custom_id)).toEqual(["u1", "u2"]);
    expect(api.files.get(String(api.creates.at(-1)?.body.input_file_id))?.filename).toBe("in.jsonl");
  });

  it("keeps the staged output and prints its path when the PUT fails for good", async () => {
    api.blob = `${[request("p1", "x"), request("p2", "y")].join("\n")}\n`;
    api.putAttempts.length = 0;
    api.putFailures = Number.POSITIVE_INFINITY;
    api.putFailureStatus = 403;
    const staging = mkdtempSync(path.join(dir, "staging-"));
    try {
      const run = cli([
        "-i",
        `${origin}/blob/in.jsonl`,
        "-o",
        `${origin}/blob/out.jsonl`,
        "--output-tmp-dir",
        staging,
      ]);
      const { code, stderr } = await run.result;
      expect(stderr).toMatch(/HTTP 403/);
      expect(code).toBe(4);
      const kept = /the output is kept in (\S+)/.exec(stderr)?.[1];
      expect(kept && path.dirname(kept)).toBe(staging);
      expect(readJsonl(kept!).map((l) => l.custom_id)).toEqual(["p1", "p2"]);
    } finally {
      api.putFailures = 0;
      api.putFailureStatus = 503;
    }
  });

  it("keeps the staged output and prints its path when it cannot be moved into place", async () => {
    const file = input("blocked.jsonl", [request("k1", "x"), request("k2", "y")]);
    const out = path.join(dir, "blocked-out.jsonl");
    const run = cli(["-i", file, "-o", out, "--metadata", "fake=hold"]);
    await run.stderrMatches(/in_progress: 1\/2/);
    // The output's place is taken by a folder while the batch runs.
    mkdirSync(out);
    api.release(/created (batch_\d+)/.exec(run.stderrSoFar())?.[1] ?? "");
    const { code, stderr } = await run.result;
    expect(code).not.toBe(0);
    const kept = /the output is kept in (\S+)/.exec(stderr)?.[1];
    expect(kept).toBeDefined();
    expect(readJsonl(kept!).map((l) => l.custom_id)).toEqual(["k1", "k2"]);
  });

  it("cancels on Ctrl-C, waits for the cancel and writes the partial output, exit 3", async () => {
    const ids = ["c1", "c2", "c3", "c4"];
    const file = input(
      "cancel.jsonl",
      ids.map((id) => request(id, "x")),
    );
    const out = path.join(dir, "cancel-out.jsonl");
    const run = cli(["-i", file, "-o", out, "--metadata", "fake=hold"]);
    await run.stderrMatches(/in_progress: 1\/4/);
    run.child.kill("SIGINT");
    const { code, stderr } = await run.result;
    expect(stderr).toMatch(/cancelling batch_\d+/);
    expect(code).toBe(3);
    expect(api.cancels).toHaveLength(1);
    const lines = readJsonl(out);
    expect(lines.map((l) => l.custom_id)).toEqual(ids);
    expect(lines[0]?.response?.status_code).toBe(200);
    expect(lines.slice(1).map((l) => l.error?.code)).toEqual([
      "batch_cancelled",
      "batch_cancelled",
      "batch_cancelled",
    ]);
  });

  it.each([
    ["every line in flight (the server still cancels it)", "inflight", /in_progress: 0\/3/],
    ["every line run, files being written (the server completes it)", "finalizing", /finalizing: 3\/3/],
  ])("says the cancel came too late when Ctrl-C comes with %s, and exits 0", async (_label, mode, seen) => {
    const ids = ["l1", "l2", "l3"];
    const file = input(
      `late-${mode}.jsonl`,
      ids.map((id) => request(id, "x")),
    );
    const out = path.join(dir, `late-${mode}-out.jsonl`);
    const run = cli(["-i", file, "-o", out, "--metadata", `fake=${mode}`]);
    await run.stderrMatches(seen);
    run.child.kill("SIGINT");
    const { code, stderr } = await run.result;
    expect(stderr).toMatch(/the cancel came too late/);
    expect(stderr).toMatch(/batch_\d+ completed in \d+s: 3 ok, 0 failed of 3/);
    expect(code).toBe(0);
    expect(readJsonl(out).map((l) => [l.custom_id, l.response?.status_code])).toEqual([
      ["l1", 200],
      ["l2", 200],
      ["l3", 200],
    ]);
  });

  it("stops waiting on a second Ctrl-C and prints the command that writes the output later, 130", async () => {
    const file = input("stuck.jsonl", [request("s1", "x"), request("s2", "y")]);
    // A space and a quote in the name: the printed command must quote it for the shell.
    const out = path.join(dir, "stuck out's.jsonl");
    const run = cli(["-i", file, "-o", out, "--metadata", "fake=stuck"]);
    await run.stderrMatches(/in_progress: 1\/2/);
    run.child.kill("SIGINT");
    await run.stderrMatches(/cancelling/);
    run.child.kill("SIGINT");
    const { code, stderr } = await run.result;
    expect(code).toBe(130);
    expect(existsSync(out)).toBe(false);
    const id = /created (batch_\d+)/.exec(stderr)?.[1] ?? "";
    expect(stderr).toContain(`stopped waiting for ${id}`);
    expect(stderr).toContain(`${origin}/v1/batches/${id}`);
    const command = /to write its output later, run:\n {2}(.+)\n/.exec(stderr)?.[1];
    expect(command).toContain(`--batch-id ${id}`);

    // Later, once the batch has stopped on the server, the printed command writes the output.
    api.release(id);
    const later = await runCli([command!], { OPENAI_API_KEY: KEY }, { via: "shell", cwd: tmpdir() }).result;
    expect(later.stderr).toMatch(new RegExp(`${id} cancelled`));
    expect(later.code).toBe(3);
    expect(readJsonl(out).map((l) => [l.custom_id, l.response?.status_code ?? l.error?.code])).toEqual([
      ["s1", 200],
      ["s2", "batch_cancelled"],
    ]);
  });
});
