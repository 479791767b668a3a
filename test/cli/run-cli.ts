import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const CLI = path.resolve(import.meta.dirname, "..", "..", "cli", "run-batch.mjs");

export type CliRun = {
  child: ChildProcess;
  /** Resolves when stderr so far matches; rejects if the CLI exits first. */
  stderrMatches(pattern: RegExp): Promise<void>;
  result: Promise<{ code: number | null; stdout: string; stderr: string }>;
};

/** Spawns `node cli/run-batch.mjs` as a user would, with only the given OPENAI_* variables. */
export function runCli(args: string[], env: Record<string, string> = {}): CliRun {
  const base = { ...process.env };
  delete base.OPENAI_BASE_URL;
  delete base.OPENAI_API_KEY;
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout?.on("data", (c) => {
    stdout += c;
  });
  child.stderr?.on("data", (c) => {
    stderr += c;
    for (const w of watchers.filter((x) => x.pattern.test(stderr))) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
  });
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return {
    child,
    result,
    stderrMatches(pattern) {
      if (pattern.test(stderr)) {
        return Promise.resolve();
      }
      return Promise.race([
        new Promise<void>((resolve) => watchers.push({ pattern, resolve })),
        result.then(({ code }) => {
          throw new Error(`the CLI exited (${code}) before stderr matched ${pattern}:\n${stderr}`);
        }),
      ]);
    },
  };
}
