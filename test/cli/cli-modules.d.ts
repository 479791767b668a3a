// Types for the run-batch CLI's plain-JS modules (cli/lib/*.mjs has JSDoc but no build step, and
// the project's TypeScript does not read JS), limited to what the tests use.

declare module "*/cli/lib/errors.mjs" {
  export const EXIT: {
    ok: 0;
    someLinesFailed: 1;
    usage: 2;
    batchNotCompleted: 3;
    network: 4;
    interrupted: 130;
  };
  export class CliError extends Error {
    exitCode: number;
    details: string[];
    constructor(message: string, exitCode: number, options?: { cause?: unknown; details?: string[] });
  }
}

declare module "*/cli/lib/args.mjs" {
  export const DEFAULT_BASE_URL: string;
  export const LOCAL_API_KEY: string;
  export const HELP: string;
  export type RunBatchOptions = {
    inputFile: string;
    outputFile: string | null;
    outputTmpDir: string | null;
    errorFile: string | null;
    model: string | null;
    endpoint: string | null;
    baseUrl: string;
    apiKey: string;
    metadata: Record<string, string> | null;
    webhookUrl: string | null;
    completionWindow: string;
    pollIntervalMs: number;
    detach: boolean;
    batchId: string | null;
  };
  export function parseCliArgs(
    argv: string[],
    env: Record<string, string | undefined>,
  ): { kind: "help" } | { kind: "version" } | { kind: "run"; options: RunBatchOptions };
}

declare module "*/cli/lib/jsonl.mjs" {
  export type Line = { number: number; text: string; offset: number; length: number };
  export function readLines(path: string): AsyncGenerator<Line>;
}

declare module "*/cli/lib/input.mjs" {
  export type InputPlan = {
    requests: number;
    endpoint: string;
    order: Map<string, number>;
    filled: number;
    uploadPath: string;
  };
  export function checkInput(
    path: string,
    options: { model: string | null; endpoint: string | null; rewritePath: string; label?: string },
  ): Promise<InputPlan>;
}

declare module "*/cli/lib/output.mjs" {
  export type MergeReport = {
    succeeded: number;
    failed: number;
    missing: string[];
    unmatched: number;
    notRun: number;
  };
  export function mergeResults(args: {
    order: Map<string, number>;
    sources: { path: string; kind: "success" | "error" }[];
    outputPath: string;
    errorPath?: string | null;
  }): Promise<MergeReport>;
}

declare module "*/cli/lib/transfer.mjs" {
  export function downloadToFile(url: string, dest: string): Promise<number>;
  export function putFileWithRetries(
    url: string,
    path: string,
    options?: {
      attempts?: number;
      baseDelayMs?: number;
      sleep?: (ms: number) => Promise<unknown>;
      onRetry?: (info: { attempt: number; reason: string; delayMs: number }) => void;
    },
  ): Promise<{ attempts: number; status: number }>;
}

declare module "*/cli/lib/poll.mjs" {
  export const TERMINAL_STATUSES: Set<string>;
  export function createWaiter(): { sleep(ms: number): Promise<void>; wake(): void };
  export function pollUntilTerminal<B extends { status: string }>(args: {
    retrieve: () => Promise<B>;
    intervalMs: number;
    sleep: (ms: number) => Promise<unknown>;
    onUpdate?: (batch: B) => void;
    isTransient?: (err: unknown) => boolean;
    onTransientError?: (err: unknown, failuresInARow: number) => void;
    maxFailuresInARow?: number;
  }): Promise<B>;
}

declare module "*/cli/lib/progress.mjs" {
  export type Snapshot = {
    status: string;
    completed: number;
    failed: number;
    total: number;
    ratePerSec: number | null;
    etaSec: number | null;
  };
  export function formatDuration(seconds: number): string;
  export function formatBar(snap: Snapshot, columns: number): string;
  export function formatLogLine(batchId: string, snap: Snapshot): string;
  export class RateMeter {
    constructor(now: () => number);
    sample(done: number, total: number): { ratePerSec: number | null; etaSec: number | null };
  }
  export class ProgressReporter {
    constructor(args: {
      batchId: string;
      stream: { write(s: string): unknown; isTTY?: boolean; columns?: number };
      now?: () => number;
      logEveryMs?: number;
    });
    update(batch: {
      status: string;
      request_counts?: { total?: number; completed?: number; failed?: number } | null;
    }): void;
    note(message: string): void;
    end(): void;
  }
}

declare module "*/cli/lib/run.mjs" {
  export function uploadName(input: string): string;
  export function toCliError(err: unknown, baseUrl: string): Error & { exitCode: number; details: string[] };
}

declare module "*/cli/lib/models.mjs" {
  export function isModelServed(client: import("openai").OpenAI, model: string): Promise<boolean | null>;
}

declare module "*/cli/lib/paths.mjs" {
  import type { RunBatchOptions } from "*/cli/lib/args.mjs";
  export const PACKAGE_ROOT: string;
  export function userDirectory(
    env: Record<string, string | undefined>,
    cwd: string,
    packageRoot?: string,
  ): string;
  export function resolveLocalPaths(options: RunBatchOptions, dir: string): RunBatchOptions;
}
