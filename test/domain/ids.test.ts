import { describe, expect, it } from "vitest";
import { isId, newId, ulid } from "../../src/domain/ids";

describe("ids", () => {
  it("carries OpenAI's prefixes", () => {
    expect(newId("file")).toMatch(/^file-[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(newId("batch")).toMatch(/^batch_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId("batch", newId("batch"))).toBe(true);
    expect(isId("batch", newId("file"))).toBe(false);
  });

  it("sorts by creation time, strictly even within one millisecond", () => {
    const now = 1_700_000_000_000;
    const sameMs = Array.from({ length: 1000 }, () => ulid(now));
    expect([...sameMs].sort()).toEqual(sameMs);
    expect(new Set(sameMs).size).toBe(1000);
    expect(ulid(now + 1) > (sameMs.at(-1) as string)).toBe(true);
  });
});
