import { describe, expect, it } from "vitest";
import { DEFAULT_BASE_URL, LOCAL_API_KEY, parseCliArgs } from "../../cli/lib/args.mjs";
import { CliError, EXIT } from "../../cli/lib/errors.mjs";

function options(argv: string[], env: Record<string, string | undefined> = {}) {
  const parsed = parseCliArgs(argv, env);
  if (parsed.kind !== "run") {
    throw new Error(`expected a run, got ${parsed.kind}`);
  }
  return parsed.options;
}

function usageFailure(argv: string[], env: Record<string, string | undefined> = {}): string {
  try {
    parseCliArgs(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.usage);
    return (err as CliError).message;
  }
  throw new Error("expected a usage error");
}

describe("parseCliArgs", () => {
  it("reads the FastDeploy-style short flags and fills the defaults", () => {
    const o = options([
      "-i",
      "in.jsonl",
      "-o",
      "out.jsonl",
      "--model",
      "@cf/meta/llama-3.1-8b-instruct-fast",
    ]);
    expect(o).toEqual({
      inputFile: "in.jsonl",
      outputFile: "out.jsonl",
      outputTmpDir: null,
      errorFile: null,
      model: "@cf/meta/llama-3.1-8b-instruct-fast",
      endpoint: null,
      baseUrl: DEFAULT_BASE_URL,
      apiKey: LOCAL_API_KEY,
      metadata: null,
      webhookUrl: null,
      completionWindow: "24h",
      pollIntervalMs: 2000,
      detach: false,
      batchId: null,
    });
  });

  it("reads every long flag", () => {
    const o = options([
      "--input-file=https://example.com/in.jsonl",
      "--output-file",
      "https://example.com/out.jsonl",
      "--output-tmp-dir",
      "/tmp",
      "--error-file",
      "err.jsonl",
      "--endpoint",
      "/v1/embeddings",
      "--base-url",
      "https://batch.example.com/v1/",
      "--api-key",
      "sk-x",
      "--metadata",
      "team=ml",
      "--metadata",
      "note=a=b",
      "--webhook-url",
      "https://hooks.example.com/x",
      "--completion-window",
      "24h",
      "--poll-interval",
      "0.5",
      "--batch-id",
      "batch_1",
    ]);
    expect(o).toMatchObject({
      inputFile: "https://example.com/in.jsonl",
      outputFile: "https://example.com/out.jsonl",
      outputTmpDir: "/tmp",
      errorFile: "err.jsonl",
      endpoint: "/v1/embeddings",
      baseUrl: "https://batch.example.com/v1",
      apiKey: "sk-x",
      metadata: { team: "ml", note: "a=b" },
      webhookUrl: "https://hooks.example.com/x",
      pollIntervalMs: 500,
      batchId: "batch_1",
    });
  });

  it("answers help and version before checking anything else", () => {
    expect(parseCliArgs(["-h"], {})).toEqual({ kind: "help" });
    expect(parseCliArgs(["--version", "--poll-interval", "x"], {})).toEqual({ kind: "version" });
  });

  it("takes the base URL and key from the environment, flags first", () => {
    const env = { OPENAI_BASE_URL: "https://api.example.com/v1", OPENAI_API_KEY: "sk-env" };
    expect(options(["-i", "a", "-o", "b"], env)).toMatchObject({
      baseUrl: env.OPENAI_BASE_URL,
      apiKey: "sk-env",
    });
    expect(options(["-i", "a", "-o", "b", "--api-key", "sk-flag"], env).apiKey).toBe("sk-flag");
  });

  it("uses the local key only for the local default base URL", () => {
    expect(usageFailure(["-i", "a", "-o", "b", "--base-url", "https://api.example.com/v1"])).toMatch(
      /no API key for https:\/\/api\.example\.com\/v1.*--api-key.*OPENAI_API_KEY/,
    );
    expect(usageFailure(["-i", "a", "-o", "b"], { OPENAI_BASE_URL: "http://10.0.0.2:8787/v1" })).toMatch(
      /no API key/,
    );
  });

  it("needs an output unless detached", () => {
    expect(usageFailure(["-i", "a"])).toMatch(/missing --output-file \(-o\)/);
    expect(options(["-i", "a", "--detach"])).toMatchObject({ outputFile: null, detach: true });
    expect(usageFailure(["-o", "b"])).toMatch(/missing --input-file \(-i\)/);
  });

  it("names the flag in every usage error", () => {
    expect(usageFailure(["-i", "a", "-o", "b", "--frobnicate"])).toMatch(/Unknown option '--frobnicate'/);
    expect(usageFailure(["-i", "a", "-o", "b", "stray"])).toMatch(/unexpected argument 'stray'/);
    expect(usageFailure(["-i"])).toMatch(/--input-file/);
    expect(usageFailure(["-i", "a", "-o", "b", "--poll-interval", "0"])).toMatch(/--poll-interval.*'0'/);
    expect(usageFailure(["-i", "a", "-o", "b", "--poll-interval", "soon"])).toMatch(
      /--poll-interval.*'soon'/,
    );
    expect(usageFailure(["-i", "a", "-o", "b", "--metadata", "novalue"])).toMatch(
      /--metadata.*KEY=VALUE.*'novalue'/,
    );
    expect(usageFailure(["-i", "a", "-o", "b", "--metadata", "=x"])).toMatch(/--metadata/);
    expect(usageFailure(["-i", "a", "-o", "b", "--endpoint", "v1/chat"])).toMatch(/--endpoint.*'v1\/chat'/);
    expect(usageFailure(["-i", "a", "-o", "b", "--webhook-url", "ftp://x"])).toMatch(/--webhook-url/);
    expect(usageFailure(["-i", "a", "-o", "b", "--base-url", "localhost:8787"])).toMatch(/--base-url/);
    expect(usageFailure(["-i", "", "-o", "b"])).toMatch(/--input-file must not be empty/);
    expect(usageFailure(["-i", "a", "--batch-id", "batch_1", "--detach"])).toMatch(/--batch-id.*--detach/);
  });

  it("enforces OpenAI's metadata limits", () => {
    const seventeen = Array.from({ length: 17 }, (_, i) => ["--metadata", `k${i}=v`]).flat();
    expect(usageFailure(["-i", "a", "-o", "b", ...seventeen])).toMatch(/at most 16 pairs/);
    expect(usageFailure(["-i", "a", "-o", "b", "--metadata", `${"k".repeat(65)}=v`])).toMatch(
      /longer than 64/,
    );
    expect(usageFailure(["-i", "a", "-o", "b", "--metadata", `k=${"v".repeat(513)}`])).toMatch(
      /longer than 512/,
    );
  });
});
