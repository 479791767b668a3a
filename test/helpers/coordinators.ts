import type { CoordinatorClient } from "../../src/durable/coordinator-client";
import type { Coordinator } from "../../src/durable/coordinator-types";

/**
 * A CoordinatorClient over fakes: each test writes only the RPCs it expects, and any other call
 * fails the test with the RPC's name instead of passing silently.
 */
export function fakeCoordinators(fakeFor: (batchId: string) => Partial<Coordinator>): CoordinatorClient {
  return {
    get: (batchId) => {
      const fake = fakeFor(batchId);
      return new Proxy(fake, {
        get(target, name, receiver) {
          if (name in target) {
            const value = Reflect.get(target, name, receiver);
            return typeof value === "function" ? value.bind(target) : value;
          }
          return async () => {
            throw new Error(`unexpected coordinator RPC ${String(name)} for ${batchId}`);
          };
        },
      }) as Coordinator;
    },
  };
}
