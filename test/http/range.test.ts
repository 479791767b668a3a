import { describe, expect, it } from "vitest";
import { contentRange, parseRange } from "../../src/http/range";

describe("parseRange", () => {
  it.each([
    ["bytes=0-9", 100, { offset: 0, length: 10 }],
    ["bytes=90-", 100, { offset: 90, length: 10 }],
    ["bytes=-10", 100, { offset: 90, length: 10 }],
    ["bytes=-500", 100, { offset: 0, length: 100 }],
    ["bytes=50-500", 100, { offset: 50, length: 50 }],
    ["BYTES = 1 - 1", 100, { offset: 1, length: 1 }],
    ["bytes=99-99", 100, { offset: 99, length: 1 }],
  ])("reads %s of a %i-byte file", (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it.each([
    ["bytes=100-", 100],
    ["bytes=100-200", 100],
    ["bytes=-0", 100],
    ["bytes=0-", 0],
    ["bytes=-1", 0],
  ])("finds %s of a %i-byte file unsatisfiable", (header, size) => {
    expect(parseRange(header, size)).toBe("unsatisfiable");
  });

  it.each([undefined, null, "", "bytes=", "bytes=-", "bytes=5-1", "bytes=0-1,3-4", "items=0-1", "bytes=a-b"])(
    "ignores %s",
    (header) => {
      expect(parseRange(header, 100)).toBeNull();
    },
  );

  it("formats Content-Range", () => {
    expect(contentRange({ offset: 90, length: 10 }, 100)).toBe("bytes 90-99/100");
  });
});
