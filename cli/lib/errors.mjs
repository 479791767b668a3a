/**
 * Exit codes of `run-batch` and the one error type that carries them, so every module can fail
 * with the right code without knowing about the process.
 */

export const EXIT = Object.freeze({
  ok: 0,
  someLinesFailed: 1,
  usage: 2,
  batchNotCompleted: 3,
  network: 4,
  interrupted: 130,
});

export class CliError extends Error {
  /**
   * @param {string} message shown to the user as is
   * @param {number} exitCode one of EXIT
   * @param {{ cause?: unknown, details?: string[] }} [options] details: extra lines (e.g. one per bad input line)
   */
  constructor(message, exitCode, options = {}) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.exitCode = exitCode;
    this.details = options.details ?? [];
  }
}

/** @param {string} message @param {string[]} [details] */
export function usageError(message, details) {
  return new CliError(message, EXIT.usage, { details });
}
