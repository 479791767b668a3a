import { describe, expect, it } from "vitest";
import { parseCompletionWindow } from "../../src/domain/completion-window";

describe("parseCompletionWindow", () => {
  it.each([
    ["24h", 86400],
    ["1m", 60],
    ["30m", 1800],
    ["1h", 3600],
    ["72h", 259200],
    ["7d", 604800],
    ["10080m", 604800],
  ])("accepts %s as %i seconds", (value, seconds) => {
    expect(parseCompletionWindow(value)).toBe(seconds);
  });

  it.each(["", "24", "0m", "8d", "169h", "1.5h", "24H", " 24h", "24h ", "-1h", "1s", "01h", "9999999d"])(
    "rejects %j",
    (value) => {
      expect(parseCompletionWindow(value)).toBeNull();
    },
  );
});
