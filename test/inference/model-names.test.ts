/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_ALIASES, modelSpec, retiredModel } from "../../src/inference/known-models";

/**
 * Every Workers AI model the README, the code, the tests and the benchmarks name is live in the
 * checked-in catalogue: a retired model named anywhere would fail for users with 5007 once deployed.
 * Only the test that asserts retired models are refused may name them.
 */

const sources = import.meta.glob<string>(
  [
    "../../src/**/*.ts",
    "../../test/**/*.ts",
    "../../bench/**/*.mjs",
    "../../cli/**/*.mjs",
    "../../README.md",
  ],
  { query: "?raw", import: "default", eager: true },
);

const EXEMPT = ["retired-models.test.ts", "/src/inference/model-catalogue.generated.ts"];
/** Names tests use on purpose because they are not models. */
const NOT_A_MODEL = /^@cf\/(x|a|none|test)\/|^@cf\/meta\/llama-9/;
const MODEL_ID = /@(?:cf|hf)\/[a-z0-9_-]+\/[a-z0-9._-]*[a-z0-9]/gi;

function namedModels(): Map<string, string[]> {
  const named = new Map<string, string[]>();
  for (const [file, text] of Object.entries(sources)) {
    if (EXEMPT.some((exempt) => file.endsWith(exempt))) {
      continue;
    }
    for (const [id] of text.matchAll(MODEL_ID)) {
      if (!NOT_A_MODEL.test(id)) {
        named.set(id, [...(named.get(id) ?? []), file.replace(/^(\.\.\/)+/, "")]);
      }
    }
  }
  return named;
}

describe("models named in the project", () => {
  it("reads the README, the code, the tests and the benchmarks", () => {
    const files = Object.keys(sources);
    expect(files.some((file) => file.endsWith("README.md"))).toBe(true);
    expect(files.some((file) => file.includes("/bench/"))).toBe(true);
    // keys are relative to this file: tests are the ones outside ../../ or under ../../test/
    const tests = files.filter((file) => !file.startsWith("../../") || file.startsWith("../../test/"));
    expect(tests.length).toBeGreaterThan(50);
  });

  it("are all live in the catalogue, and none is retired", () => {
    const named = namedModels();
    expect(named.size).toBeGreaterThan(3);
    const notLive = [...named].filter(([id]) => !modelSpec(id) || retiredModel(id));
    expect(notLive).toEqual([]);
  });

  it("the default aliases point at live catalogue models", () => {
    for (const target of Object.values(DEFAULT_MODEL_ALIASES)) {
      expect(modelSpec(target), target).toBeDefined();
    }
  });
});
