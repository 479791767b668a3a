import type { BatchEndpoint, TokenUsage } from "../inference/types";
import type { UsageRollup, UsageStore } from "../storage/d1/usage-store";

/** Who a synchronous call's usage belongs to. */
export type UsageAccount = { projectId: string; apiKeyId: string };

/**
 * Usage of one synchronous batch call, summed per model in memory and written as one D1 statement
 * per model when the call ends (batch usage is recorded by the batch's coordinator instead).
 */
export class CallUsage {
  private readonly byModel = new Map<string, UsageRollup>();

  constructor(
    private readonly endpoint: BatchEndpoint,
    private readonly account: UsageAccount,
    private readonly nowMs: () => number = Date.now,
  ) {}

  add(model: string, usage: TokenUsage): void {
    const row = this.byModel.get(model) ?? {
      kind: this.endpoint === "/v1/embeddings" ? "embeddings" : "completions",
      minute: Math.floor(this.nowMs() / 60_000) * 60,
      projectId: this.account.projectId,
      model,
      apiKeyId: this.account.apiKeyId,
      batchId: "",
      input: 0,
      output: 0,
      cached: 0,
      requests: 0,
    };
    row.input += usage.inputTokens;
    row.output += usage.outputTokens;
    row.cached += usage.cachedTokens;
    row.requests += 1;
    this.byModel.set(model, row);
  }

  async record(store: UsageStore): Promise<void> {
    await store.addCallTotals([...this.byModel.values()]);
  }
}
