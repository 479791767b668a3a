/** Header parsing for multipart parts: Content-Disposition and RFC 8187 extended parameters. */

export class MultipartError extends Error {
  override readonly name = "MultipartError";
}

export type MultipartPart = {
  name: string;
  /** `null` when the part's Content-Disposition has no `filename` (a plain form field). */
  filename: string | null;
  contentType: string | null;
};

/** A part's raw header block (without the blank line) to its name, filename and type. */
export function parsePartHeaders(text: string): MultipartPart {
  let disposition: string | null = null;
  let contentType: string | null = null;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) {
      continue;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") {
      disposition = value;
    } else if (name === "content-type") {
      contentType = value;
    }
  }
  const [type = "", ...rest] = (disposition ?? "").split(";");
  const params = parseParams(rest.join(";"));
  const name = params.get("name");
  if (type.trim().toLowerCase() !== "form-data" || !name) {
    throw new MultipartError("A multipart part has no Content-Disposition: form-data name.");
  }
  const filename = params.get("filename*") ?? params.get("filename");
  return { name, filename: filename === undefined ? null : cleanFilename(filename), contentType };
}

/**
 * The name to store: the last path segment, without control characters (C0, DEL, C1). Sent raw
 * or percent-encoded in `filename*`, they would end up in listings, terminals and the
 * Content-Disposition of downloads.
 */
function cleanFilename(filename: string): string {
  return basename(filename).replace(/\p{Cc}/gu, "");
}

/** `; key=value; key="quoted \"value\""; key*=UTF-8''percent%20encoded` → lower-cased keys. */
export function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /;?\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const match of `;${text}`.matchAll(pattern)) {
    const key = (match[1] ?? "").toLowerCase();
    let value = (match[2] ?? "").trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      // only \" and \\ are unescaped: browsers send Windows paths with bare backslashes
      value = value.slice(1, -1).replace(/\\(["\\])/g, "$1");
    }
    if (key.endsWith("*")) {
      const extended = decodeExtended(value);
      if (extended === null) {
        continue;
      }
      value = extended;
    }
    params.set(key, value);
  }
  return params;
}

/** RFC 8187 `charset'language'percent-encoded`; null when it cannot be decoded. */
function decodeExtended(value: string): string | null {
  const match = /^([^']*)'[^']*'(.*)$/.exec(value);
  if (!match || !["utf-8", ""].includes((match[1] ?? "").toLowerCase())) {
    return null;
  }
  try {
    return decodeURIComponent(match[2] ?? "");
  } catch {
    return null;
  }
}

// some clients send a full client-side path as the filename
function basename(filename: string): string {
  return filename.slice(Math.max(filename.lastIndexOf("/"), filename.lastIndexOf("\\")) + 1);
}
