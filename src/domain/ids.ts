/**
 * Object ids with OpenAI's prefixes. The body is a ULID (48-bit millisecond time, then 80 random
 * bits, Crockford base32), so ids sort by creation time and serve directly as list cursors.
 */
const PREFIXES = {
  file: "file-",
  batch: "batch_",
  batchRequest: "batch_req_",
  project: "proj_",
  apiKey: "key_",
  event: "evt_",
  request: "req_",
  schedule: "bsched_",
  webhookEndpoint: "we_",
  webhookDelivery: "whd_",
  chatCompletion: "chatcmpl-",
  completion: "cmpl-",
} as const;

export type IdKind = keyof typeof PREFIXES;
export type FileId = `file-${string}`;
export type BatchId = `batch_${string}`;
export type ProjectId = `proj_${string}`;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function encodeTime(ms: number): string {
  let out = "";
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function randomPart(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const byte of bytes) {
    out += ALPHABET[byte % 32];
  }
  return out;
}

export function ulid(now: number = Date.now()): string {
  return encodeTime(now) + randomPart(16);
}

export function newId<K extends IdKind>(kind: K, now?: number): `${(typeof PREFIXES)[K]}${string}` {
  return `${PREFIXES[kind]}${ulid(now)}`;
}

export function idPrefix(kind: IdKind): string {
  return PREFIXES[kind];
}

export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(PREFIXES[kind]) && value.length > PREFIXES[kind].length && value.length <= 128;
}
