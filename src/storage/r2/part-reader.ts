/** A byte range of a file: `length` bytes from `offset`. */
export type ByteRange = { offset: number; length: number };

/**
 * Reads a file that is an ordered list of R2 objects (the parts of a completed upload) as one byte
 * stream: a byte range maps to a range of each part it touches, read one part at a time, so memory
 * holds one read chunk whatever the file's size.
 */

export type ManifestPart = { key: string; bytes: number };

/** A file made of parts: stored as JSON next to where a plain file's bytes would be. */
export type FileManifest = { version: 1; bytes: number; parts: ManifestPart[] };

export function toManifest(parts: ManifestPart[]): FileManifest {
  return { version: 1, bytes: parts.reduce((sum, part) => sum + part.bytes, 0), parts };
}

export function parseManifest(text: string): FileManifest {
  const value = JSON.parse(text) as Partial<FileManifest>;
  if (value.version !== 1 || !Array.isArray(value.parts) || typeof value.bytes !== "number") {
    throw new Error("unreadable file manifest");
  }
  return { version: 1, bytes: value.bytes, parts: value.parts };
}

type Segment = { key: string; range: ByteRange | null };

/** The parts (and the range inside each) that hold `range` of the whole; null range: all of it. */
export function segmentsOf(parts: ManifestPart[], range?: ByteRange): Segment[] {
  const start = range?.offset ?? 0;
  const end = range ? range.offset + range.length : Number.POSITIVE_INFINITY;
  const out: Segment[] = [];
  let at = 0;
  for (const part of parts) {
    const partStart = at;
    const partEnd = at + part.bytes;
    at = partEnd;
    const from = Math.max(start, partStart);
    const to = Math.min(end, partEnd);
    if (to > from) {
      const whole = from === partStart && to === partEnd;
      out.push({ key: part.key, range: whole ? null : { offset: from - partStart, length: to - from } });
    }
  }
  return out;
}

/**
 * The bytes of `range` (or all) of the parts in order. A missing part ends the stream with an error,
 * as a truncated read would; the reader cancelling stops the remaining part reads.
 */
export function readParts(
  bucket: R2Bucket,
  parts: ManifestPart[],
  range?: ByteRange,
): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream();
  const pump = async (): Promise<void> => {
    for (const segment of segmentsOf(parts, range)) {
      const object = await bucket.get(segment.key, segment.range ? { range: segment.range } : undefined);
      if (!object) {
        throw new Error(`part object ${segment.key} is missing`);
      }
      await object.body.pipeTo(writable, { preventClose: true });
    }
    await writable.close();
  };
  pump().catch((err: unknown) => writable.abort(err).catch(() => undefined));
  return readable as ReadableStream<Uint8Array>;
}
