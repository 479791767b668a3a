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
  response: "resp_",
  responseMessage: "msg_",
  functionCall: "fc_",
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

function randomDigits(length: number): number[] {
  return [...crypto.getRandomValues(new Uint8Array(length))].map((byte) => byte % 32);
}

/**
 * Isolate-lifetime state that makes ids from one isolate strictly increasing: within the same
 * millisecond the random part is incremented instead of drawn again (the monotonic ULID rule).
 */
const last = { time: -1, digits: [] as number[] };

function nextDigits(now: number): number[] {
  if (now !== last.time) {
    last.time = now;
    last.digits = randomDigits(16);
    return last.digits;
  }
  const digits = [...last.digits];
  for (let i = digits.length - 1; i >= 0; i--) {
    if ((digits[i] as number) < 31) {
      digits[i] = (digits[i] as number) + 1;
      break;
    }
    digits[i] = 0;
  }
  last.digits = digits;
  return digits;
}

export function ulid(now: number = Date.now()): string {
  return (
    encodeTime(now) +
    nextDigits(now)
      .map((digit) => ALPHABET[digit])
      .join("")
  );
}

export function newId<K extends IdKind>(kind: K, now?: number): `${(typeof PREFIXES)[K]}${string}` {
  return `${PREFIXES[kind]}${ulid(now)}`;
}

export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(PREFIXES[kind]) && value.length > PREFIXES[kind].length && value.length <= 128;
}
