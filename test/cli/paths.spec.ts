import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../../cli/lib/args.mjs";
import { resolveLocalPaths, userDirectory } from "../../cli/lib/paths.mjs";

const ROOT = "/opt/batch-api";

describe("userDirectory", () => {
  it("is INIT_CWD under `npm run run-batch`, which runs the script in the package root", () => {
    const env = { npm_lifecycle_event: "run-batch", INIT_CWD: "/home/ada/jobs" };
    expect(userDirectory(env, ROOT, ROOT)).toBe("/home/ada/jobs");
  });

  it("is the working directory otherwise, whatever INIT_CWD an outer npm script left", () => {
    // Some other script that changes folder first, or a script of another package.
    expect(userDirectory({ npm_lifecycle_event: "batch", INIT_CWD: "/home/ada" }, ROOT, ROOT)).toBe(ROOT);
    expect(userDirectory({ npm_lifecycle_event: "run-batch", INIT_CWD: "/home/ada" }, "/data", ROOT)).toBe(
      "/data",
    );
    expect(userDirectory({}, "/data", ROOT)).toBe("/data");
  });
});

describe("resolveLocalPaths", () => {
  it("makes local paths absolute from the user's folder and leaves URLs alone", () => {
    const parsed = parseCliArgs(
      ["-i", "in/a.jsonl", "-o", "https://bucket.example/out.jsonl", "--error-file", "../err.jsonl"],
      {},
    );
    if (parsed.kind !== "run") {
      throw new Error("expected a run");
    }
    const o = resolveLocalPaths(parsed.options, "/home/ada/jobs");
    expect(o).toMatchObject({
      inputFile: path.resolve("/home/ada/jobs/in/a.jsonl"),
      outputFile: "https://bucket.example/out.jsonl",
      errorFile: path.resolve("/home/ada/err.jsonl"),
      outputTmpDir: null,
    });
  });
});
