import { DurableObject } from "cloudflare:workers";

/** One instance per batch: the single writer of its status, counts, timestamps and file ids. */
export class BatchCoordinator extends DurableObject<Env> {}
