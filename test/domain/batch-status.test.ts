import { describe, expect, it } from "vitest";
import {
  assertTransition,
  BATCH_STATUSES,
  type BatchStatus,
  canTransition,
  InvalidTransitionError,
  isTerminal,
} from "../../src/domain/batch-status";

const ALLOWED: Array<[BatchStatus, BatchStatus]> = [
  ["validating", "in_progress"],
  ["validating", "failed"],
  ["validating", "cancelling"],
  ["validating", "expired"],
  ["in_progress", "finalizing"],
  ["in_progress", "cancelling"],
  ["in_progress", "expired"],
  ["finalizing", "completed"],
  ["finalizing", "cancelling"],
  ["finalizing", "expired"],
  ["cancelling", "cancelled"],
];

describe("batch state machine", () => {
  it.each(ALLOWED)("allows %s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it("refuses every other transition", () => {
    const allowed = new Set(ALLOWED.map(([from, to]) => `${from}>${to}`));
    for (const from of BATCH_STATUSES) {
      for (const to of BATCH_STATUSES) {
        if (!allowed.has(`${from}>${to}`)) {
          expect(canTransition(from, to), `${from} → ${to}`).toBe(false);
          expect(() => assertTransition(from, to)).toThrow(InvalidTransitionError);
        }
      }
    }
  });

  it("calls exactly completed, failed, expired and cancelled terminal", () => {
    expect(BATCH_STATUSES.filter(isTerminal).sort()).toEqual(["cancelled", "completed", "expired", "failed"]);
  });
});
