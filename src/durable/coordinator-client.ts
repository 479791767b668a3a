import type { BatchCoordinator } from "./batch-coordinator";

/** Reaches the coordinator of one batch (one Durable Object per batch id). */
export interface CoordinatorClient {
  get(batchId: string): DurableObjectStub<BatchCoordinator>;
}

export class DurableCoordinatorClient implements CoordinatorClient {
  constructor(private readonly namespace: DurableObjectNamespace<BatchCoordinator>) {}

  get(batchId: string): DurableObjectStub<BatchCoordinator> {
    return this.namespace.get(this.namespace.idFromName(batchId));
  }
}
