/** The batch state machine. Every status change goes through `assertTransition`. */
export const BATCH_STATUSES = [
  "validating",
  "failed",
  "in_progress",
  "finalizing",
  "completed",
  "expired",
  "cancelling",
  "cancelled",
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

const TRANSITIONS = {
  validating: ["in_progress", "failed", "cancelling", "expired"],
  in_progress: ["finalizing", "cancelling", "expired"],
  finalizing: ["completed", "cancelling", "expired"],
  cancelling: ["cancelled"],
  completed: [],
  failed: [],
  expired: [],
  cancelled: [],
} as const satisfies Record<BatchStatus, readonly BatchStatus[]>;

export const TERMINAL_STATUSES: readonly BatchStatus[] = ["completed", "failed", "expired", "cancelled"];

export function isTerminal(status: BatchStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function canTransition(from: BatchStatus, to: BatchStatus): boolean {
  const allowed: readonly BatchStatus[] = TRANSITIONS[from];
  return allowed.includes(to);
}

export class InvalidTransitionError extends Error {
  override readonly name = "InvalidTransitionError";
  constructor(
    readonly from: BatchStatus,
    readonly to: BatchStatus,
  ) {
    super(`Cannot move a batch from '${from}' to '${to}'.`);
  }
}

export function assertTransition(from: BatchStatus, to: BatchStatus): void {
  if (!canTransition(from, to)) {
    throw new InvalidTransitionError(from, to);
  }
}

/** The `*_at` field set, once, on entering each status. */
export const STATUS_TIMESTAMP = {
  validating: "created_at",
  in_progress: "in_progress_at",
  finalizing: "finalizing_at",
  completed: "completed_at",
  failed: "failed_at",
  expired: "expired_at",
  cancelling: "cancelling_at",
  cancelled: "cancelled_at",
} as const satisfies Record<BatchStatus, string>;
