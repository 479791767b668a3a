/**
 * Following a batch until it reaches a terminal status. The waits between polls can be cut short
 * (after a cancel, the next status should come at once), and a few transient errors in a row are
 * tolerated, since a long batch outlives many network blips.
 */

export const TERMINAL_STATUSES = new Set(["completed", "failed", "expired", "cancelled"]);

/** A sleep that `wake()` ends early; used so Ctrl-C does not wait out the poll interval. */
export function createWaiter() {
  /** @type {(() => void) | null} */
  let wakeUp = null;
  let woken = false;
  return {
    /** @param {number} ms */
    sleep(ms) {
      if (woken) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = null;
          resolve(undefined);
        }
        wakeUp = done;
      });
    },
    wake() {
      if (wakeUp) {
        wakeUp();
      } else {
        woken = true;
      }
    },
  };
}

/**
 * @template {{ status: string }} B
 * @param {object} args
 * @param {() => Promise<B>} args.retrieve
 * @param {number} args.intervalMs
 * @param {(ms: number) => Promise<unknown>} args.sleep
 * @param {(batch: B) => void} [args.onUpdate]
 * @param {(err: unknown) => boolean} [args.isTransient] errors worth polling again after
 * @param {(err: unknown, failuresInARow: number) => void} [args.onTransientError]
 * @param {number} [args.maxFailuresInARow] default 5
 * @returns {Promise<B>} the batch in a terminal status
 */
export async function pollUntilTerminal({
  retrieve,
  intervalMs,
  sleep,
  onUpdate,
  isTransient = () => false,
  onTransientError,
  maxFailuresInARow = 5,
}) {
  let failures = 0;
  for (;;) {
    let batch;
    try {
      batch = await retrieve();
      failures = 0;
    } catch (err) {
      failures += 1;
      if (!isTransient(err) || failures >= maxFailuresInARow) {
        throw err;
      }
      onTransientError?.(err, failures);
      await sleep(intervalMs * 2 ** failures);
      continue;
    }
    onUpdate?.(batch);
    if (TERMINAL_STATUSES.has(batch.status)) {
      return batch;
    }
    await sleep(intervalMs);
  }
}
