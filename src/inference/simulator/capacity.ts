/**
 * A model's serving capacity in the simulator: at most `limit` calls at once. A call that finds it
 * full either waits for a slot (Workers AI's capacity queue, the default) or is refused at once
 * (`rejectIfBusy: true`, answered with 429/3040). `limit` 0 means unlimited.
 */
export class CapacityGate {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  /** Takes a slot, waiting if `wait`; resolves false (nothing taken) if full and not waiting. */
  async enter(model: string, limit: number, wait: boolean): Promise<boolean> {
    if (limit <= 0) {
      return true;
    }
    const running = this.running.get(model) ?? 0;
    if (running < limit) {
      this.running.set(model, running + 1);
      return true;
    }
    if (!wait) {
      return false;
    }
    // the slot is handed over by `leave`, so `running` stays at the limit meanwhile
    await new Promise<void>((resolve) => {
      const queue = this.waiting.get(model) ?? [];
      queue.push(resolve);
      this.waiting.set(model, queue);
    });
    return true;
  }

  leave(model: string, limit: number): void {
    if (limit <= 0) {
      return;
    }
    const next = this.waiting.get(model)?.shift();
    if (next) {
      next();
      return;
    }
    this.running.set(model, Math.max(0, (this.running.get(model) ?? 1) - 1));
  }

  /** Calls running now (for tests and benchmarks). */
  inUse(model: string): number {
    return this.running.get(model) ?? 0;
  }
}
