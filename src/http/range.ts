/**
 * The HTTP `Range` request header (RFC 9110 §14), single ranges only. A header this server does not
 * honour (several ranges, another unit, bad syntax) is ignored, which RFC 9110 allows: the client
 * gets the whole representation with 200.
 */

export type ByteRange = { offset: number; length: number };

/** The requested range clamped to `size`, "unsatisfiable" (answer 416), or null (send it all). */
export function parseRange(
  header: string | null | undefined,
  size: number,
): ByteRange | "unsatisfiable" | null {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? "");
  if (!match) {
    return null;
  }
  const [, first = "", last = ""] = match;
  if (first === "") {
    if (last === "") {
      return null;
    }
    // a suffix range: the last N bytes
    const suffix = Number(last);
    if (suffix === 0 || size === 0) {
      return "unsatisfiable";
    }
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) {
    return null;
  }
  if (start >= size) {
    return "unsatisfiable";
  }
  const end = last === "" ? size - 1 : Number(last);
  return { offset: start, length: Math.min(end, size - 1) - start + 1 };
}

export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`;
}
