import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const CLI = path.join(ROOT, "cli", "run-batch.mjs");

export type CliRun = {
  child: ChildProcess;
  /** Resolves when stderr so far matches; rejects if the CLI exits first. */
  stderrMatches(pattern: RegExp): Promise<void>;
  stderrSoFar(): string;
  result: Promise<{ code: number | null; stdout: string; stderr: string }>;
};

/**
 * How the user starts the CLI: `node cli/run-batch.mjs` (the default), `npm run run-batch -- …`
 * from `cwd` (npm then runs it in the package root), or a command line given to `sh -c`.
 */
export type Launch = { cwd?: string; via?: "node" | "npm" | "shell" };

/** Spawns the CLI as a user would, with only the given OPENAI_* variables. */
export function runCli(args: string[], env: Record<string, string> = {}, launch: Launch = {}): CliRun {
  const base = { ...process.env };
  delete base.OPENAI_BASE_URL;
  delete base.OPENAI_API_KEY;
  const [command, commandArgs] =
    launch.via === "npm"
      ? ["npm", ["--prefix", ROOT, "run", "--silent", "run-batch", "--", ...args]]
      : launch.via === "shell"
        ? ["sh", ["-c", args.join(" ")]]
        : [process.execPath, [CLI, ...args]];
  const child = spawn(command, commandArgs, {
    cwd: launch.cwd,
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
    stderrSoFar: () => stderr,
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
