import type { Coordinator } from "./coordinator-types";

/** Reaches the coordinator of one batch (one Durable Object per batch id). */
export interface CoordinatorClient {
  get(batchId: string): Coordinator;
}

export class DurableCoordinatorClient implements CoordinatorClient {
  constructor(private readonly namespace: DurableObjectNamespace) {}

  get(batchId: string): Coordinator {
    // the namespace is BatchCoordinator's (wrangler.toml); its stub speaks the Coordinator RPCs
    return this.namespace.get(this.namespace.idFromName(batchId)) as unknown as Coordinator;
  }
}
