import { describe, expect, it } from "vitest";
import { itemError, parsePoll, parseSubmit, splitTotal } from "../../src/inference/async-responses";
import { InferenceError } from "../../src/inference/types";

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("parseSubmit", () => {
  it("returns the request id of a queued submit", () => {
    expect(parseSubmit({ status: "queued", request_id: "req-123", model: "@cf/x" })).toBe("req-123");
  });

  it("throws a transient 502 for an answer without a request id", () => {
    for (const output of [{ status: "queued" }, { request_id: "" }, null, "queued"]) {
      const error = thrown(() => parseSubmit(output));
      expect(error).toBeInstanceOf(InferenceError);
      expect(error).toMatchObject({ status: 502, code: "invalid_upstream_response", transient: true });
    }
  });
});

describe("parsePoll", () => {
  it("reads queued and running as pending", () => {
    expect(parsePoll({ status: "queued", request_id: "r" })).toEqual({ state: "pending" });
    expect(parsePoll({ status: "running", request_id: "r" })).toEqual({ state: "pending" });
  });

  it("maps each response to its item index, whatever order they come in", () => {
    const poll = parsePoll({
      responses: [
        { id: 2, result: { response: "c" }, success: true, external_reference: "line-3" },
        { id: 0, result: { response: "a" }, success: true, external_reference: "line-1" },
        { id: 1, result: { errors: [{ code: 5006, message: "bad" }] }, success: false },
      ],
      usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
    });
    expect(poll).toEqual({
      state: "done",
      items: [
        { index: 2, externalReference: "line-3", success: true, result: { response: "c" } },
        { index: 0, externalReference: "line-1", success: true, result: { response: "a" } },
        {
          index: 1,
          externalReference: null,
          success: false,
          result: { errors: [{ code: 5006, message: "bad" }] },
        },
      ],
      usage: { input: 30, output: 12 },
    });
  });

  it("takes an item without `success` that carries a result as answered", () => {
    const poll = parsePoll({ responses: [{ id: 0, result: { response: "ok" } }] });
    expect(poll.state === "done" && poll.items.map((item) => item.success)).toEqual([true]);
  });

  it("reports an item without a result as failed, keeping the other items' answers", () => {
    // one result-less item must not make the whole request's answer unreadable
    const poll = parsePoll({
      responses: [{ id: 0, result: { response: "ok" }, success: true }, { id: 1, success: false }, { id: 2 }],
    });
    expect(poll.state === "done" && poll.items.map((item) => [item.index, item.success])).toEqual([
      [0, true],
      [1, false],
      [2, false],
    ]);
  });

  it("gives null usage when there is none, and 0 for a missing side", () => {
    expect(parsePoll({ responses: [] })).toEqual({ state: "done", items: [], usage: null });
    const poll = parsePoll({ responses: [], usage: { prompt_tokens: 9 } });
    expect(poll.state === "done" && poll.usage).toEqual({ input: 9, output: 0 });
  });

  it("throws a transient 502 for an answer that is neither pending nor done", () => {
    for (const output of [{ status: "failed" }, { responses: [{ id: -1 }] }, { responses: "x" }, null]) {
      const error = thrown(() => parsePoll(output));
      expect(error).toBeInstanceOf(InferenceError);
      expect(error).toMatchObject({ status: 502, transient: true });
    }
  });
});

describe("itemError", () => {
  it("reads the Workers AI `errors` list", () => {
    expect(itemError({ errors: [{ code: 5006, message: "Input too long" }] })).toEqual({
      code: "5006",
      message: "Input too long",
    });
  });

  it("reads an `error` object, with or without a code", () => {
    expect(itemError({ error: { code: "3040", message: "Capacity" } })).toEqual({
      code: "3040",
      message: "Capacity",
    });
    expect(itemError({ error: { message: "Oops" } })).toEqual({ code: "unknown", message: "Oops" });
  });

  it("reads an `error` string", () => {
    expect(itemError({ error: "model crashed" })).toEqual({ code: "unknown", message: "model crashed" });
  });

  it("words anything else with the raw result, never throwing", () => {
    expect(itemError("plain failure")).toEqual({
      code: "unknown",
      message: 'The item failed on Workers AI: "plain failure"',
    });
    expect(itemError(undefined)).toEqual({ code: "unknown", message: "The item failed on Workers AI: null" });
    expect(itemError({ errors: [] }).code).toBe("unknown");
    expect(itemError({ weird: [1, 2] }).message).toContain('{"weird":[1,2]}');
  });
});

/** A small deterministic generator (mulberry32), so the random cases are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("splitTotal", () => {
  it("adds up exactly to the total and stays within 1 of the exact share", () => {
    const random = seeded(20_240_601);
    for (let round = 0; round < 500; round++) {
      const count = 1 + Math.floor(random() * 20);
      const weights = Array.from({ length: count }, () =>
        random() < 0.2 ? 0 : Math.floor(random() * 5_000),
      );
      const total = Math.floor(random() * 100_000);
      const parts = splitTotal(total, weights);
      expect(parts).toHaveLength(count);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      const sum = weights.reduce((a, b) => a + b, 0);
      parts.forEach((part, i) => {
        expect(Number.isInteger(part)).toBe(true);
        const exact = sum > 0 ? (total * (weights[i] ?? 0)) / sum : total / count;
        expect(Math.abs(part - exact)).toBeLessThan(1);
      });
    }
  });

  it("splits in proportion to the weights", () => {
    expect(splitTotal(100, [1, 3])).toEqual([25, 75]);
    expect(splitTotal(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitTotal(7, [10, 0, 4])).toEqual([5, 0, 2]);
  });

  it("gives zero-weight items nothing, and splits evenly when every weight is zero", () => {
    expect(splitTotal(9, [0, 5, 0])).toEqual([0, 9, 0]);
    expect(splitTotal(9, [0, 0, 0])).toEqual([3, 3, 3]);
    expect(splitTotal(0, [4, 2])).toEqual([0, 0]);
  });

  it("returns nothing for no items", () => {
    expect(splitTotal(50, [])).toEqual([]);
  });
});
