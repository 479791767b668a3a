import type { Deps } from "../app/deps";
import { BATCH_FILE_EXPIRY_SECONDS } from "../domain/files";
import type { FileId, ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import type { FileRecord } from "../storage/d1/files-store";
import { parseWebhookUrl } from "../webhooks/url";

/**
 * Imports a batch input from a URL: the response body is streamed into R2 (flat memory, however
 * large) and registered as a file with purpose `batch`, like an upload. Invariant: a failed import
 * leaves no file row and no R2 object behind.
 */

const INPUT_URL_ERROR_CODES = [
  "input_url_not_allowed",
  "input_url_fetch_failed",
  "input_url_too_large",
  "input_url_empty",
] as const;
export type InputUrlErrorCode = (typeof INPUT_URL_ERROR_CODES)[number];

/** Why an import failed, in words safe to show the user (never the URL: it may carry a token). */
export class InputUrlError extends Error {
  override readonly name = "InputUrlError";
  constructor(
    readonly code: InputUrlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type UrlImport = {
  projectId: ProjectId;
  fileId: FileId;
  url: string;
  fetch: typeof fetch;
  /** Covers the whole download, headers and body. */
  timeoutMs: number;
  now?: number;
};

/** The webhooks' rule: https only, plus loopback http on the local stack. */
function isAllowed(url: string, environment: "production" | "local"): boolean {
  try {
    parseWebhookUrl(url, environment, "input_url");
    return true;
  } catch {
    return false;
  }
}

function filenameOf(url: string): string {
  const last = new URL(url).pathname.split("/").pop() ?? "";
  let name: string;
  try {
    name = decodeURIComponent(last);
  } catch {
    name = last;
  }
  name = name.replace(/[^\w.-]/g, "_").slice(0, 200);
  return name === "" ? "input.jsonl" : name;
}

/** Redirects followed by hand, each hop checked before it is requested; browsers allow 20. */
export const MAX_INPUT_URL_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

async function get(request: UrlImport, url: string, signal: AbortSignal): Promise<Response> {
  try {
    return await request.fetch(url, {
      // the runtime would request every hop before we could look at it, so each is checked here
      redirect: "manual",
      signal,
      headers: { accept: "application/jsonl, application/x-ndjson, text/plain, */*" },
    });
  } catch (err) {
    const reason =
      err instanceof Error && err.name === "TimeoutError" ? "it timed out" : "the connection failed";
    throw new InputUrlError("input_url_fetch_failed", `Fetching the input URL failed: ${reason}.`);
  }
}

/** The URL a redirect points to, resolved against the URL that answered it; checked, never requested. */
function redirectTarget(res: Response, from: string, environment: "production" | "local"): string {
  const location = res.headers.get("location");
  let next: string | null = null;
  try {
    next = location ? new URL(location, from).href : null;
  } catch {
    next = null;
  }
  if (next === null) {
    throw new InputUrlError(
      "input_url_fetch_failed",
      `The input URL answered HTTP ${res.status} without a usable Location.`,
    );
  }
  if (!isAllowed(next, environment)) {
    throw new InputUrlError(
      "input_url_not_allowed",
      "The input URL redirected to a URL that would not be allowed as 'input_url'.",
    );
  }
  return next;
}

async function open(request: UrlImport, environment: "production" | "local"): Promise<Response> {
  // one deadline for the whole chain and the body
  const signal = AbortSignal.timeout(request.timeoutMs);
  let url = request.url;
  for (let hops = 0; ; hops++) {
    const res = await get(request, url, signal);
    if (!REDIRECT_STATUSES.has(res.status)) {
      if (!res.ok) {
        await res.body?.cancel();
        throw new InputUrlError("input_url_fetch_failed", `The input URL answered HTTP ${res.status}.`);
      }
      return res;
    }
    await res.body?.cancel();
    if (hops === MAX_INPUT_URL_REDIRECTS) {
      throw new InputUrlError(
        "input_url_fetch_failed",
        `The input URL redirected more than ${MAX_INPUT_URL_REDIRECTS} times.`,
      );
    }
    url = redirectTarget(res, url, environment);
  }
}

export async function importFileFromUrl(deps: Deps, request: UrlImport): Promise<FileRecord> {
  if (!isAllowed(request.url, deps.config.environment)) {
    throw new InputUrlError("input_url_not_allowed", "The input URL is not allowed: it must use https.");
  }
  const limit = deps.uploadLimits.batchBytes;
  const tooLarge = new InputUrlError(
    "input_url_too_large",
    `The input URL's body is larger than ${limit} bytes.`,
  );
  const res = await open(request, deps.config.environment);
  if (Number(res.headers.get("content-length") ?? 0) > limit) {
    await res.body?.cancel();
    throw tooLarge;
  }
  const writer = deps.fileContents.createWriter(request.fileId);
  let bytes: number;
  try {
    const reader = res.body?.getReader();
    for (;;) {
      const chunk = await reader?.read().catch(() => {
        throw new InputUrlError("input_url_fetch_failed", "Reading the input URL's body failed.");
      });
      if (!chunk || chunk.done) {
        break;
      }
      if (writer.bytesWritten + chunk.value.length > limit) {
        await reader?.cancel();
        throw tooLarge;
      }
      await writer.write(chunk.value);
    }
    if (writer.bytesWritten === 0) {
      throw new InputUrlError(
        "input_url_empty",
        "The input URL returned an empty body; no batch was created.",
      );
    }
    bytes = (await writer.close()).bytes;
  } catch (err) {
    await writer.abort();
    throw err;
  }

  const createdAt = nowSeconds(request.now);
  try {
    const result = await deps.files.insert({
      id: request.fileId,
      projectId: request.projectId,
      filename: filenameOf(request.url),
      purpose: "batch",
      bytes,
      createdAt,
      expiresAt: createdAt + BATCH_FILE_EXPIRY_SECONDS,
    });
    if (!result.inserted) {
      throw new Error(`file ${request.fileId} was not stored`);
    }
    return result.file;
  } catch (err) {
    await deps.fileContents.delete(request.fileId);
    throw err;
  }
}
