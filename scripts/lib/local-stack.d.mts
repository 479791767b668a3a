export type LocalStack = {
  origin: string;
  pid: number;
  /** The stack's PERSIST_TO folder; removed by `stop()`. */
  stateDir: string;
  stop(): Promise<void>;
  output(): string;
};

export function freePort(): Promise<number>;

export function startStack(options?: {
  devArgs?: string[];
  root?: string;
  startTimeoutMs?: number;
}): Promise<LocalStack>;
