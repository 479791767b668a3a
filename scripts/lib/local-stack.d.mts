export type LocalStack = {
  origin: string;
  pid: number;
  /** The stack's PERSIST_TO folder; removed by `stop()` unless it was passed to `startStack`. */
  stateDir: string;
  /** Stops the stack; resolves once all its processes have exited. */
  stop(): Promise<void>;
  output(): string;
};

export function freePort(): Promise<number>;

export function prepareState(stateDir: string, options?: { root?: string }): Promise<void>;

export function startStack(options?: {
  devArgs?: string[];
  root?: string;
  startTimeoutMs?: number;
  stateDir?: string;
  seed?: (stateDir: string) => void | Promise<void>;
}): Promise<LocalStack>;
