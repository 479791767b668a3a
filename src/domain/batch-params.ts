import type { ProjectId } from "./ids";

/** What the coordinator needs, beyond the wire object, to run a batch; stored with the D1 row. */
export type BatchParams = {
  projectId: ProjectId;
  /** R2 key of the input file's bytes. */
  inputKey: string;
  /** Extension: the base model named at creation, or null. */
  baseModel: string | null;
  /** Seconds after their creation that output and error files expire. */
  outputExpiresAfterSeconds: number;
  /** Extension: per-batch webhook URL, or null. */
  webhookUrl: string | null;
  /** The project key that created the batch, for usage by `api_key_id`; absent for scheduled runs. */
  apiKeyId?: string | null;
};
