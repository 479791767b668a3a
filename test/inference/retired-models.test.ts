import { describe, expect, it } from "vitest";
import { checkRequestLine } from "../../src/domain/jsonl/validate-line";
import { StaticCatalogue } from "../../src/inference/catalogue";
import { KNOWN_MODELS, modelSpec } from "../../src/inference/known-models";
import { CATALOGUE_DATA } from "../../src/inference/model-catalogue.generated";
import { SimulatorState, WorkersAiSimulator } from "../../src/inference/simulator/simulator";

/** The models Workers AI retired on 2026-05-30 (changelog 2026-05-08) are refused, clearly. */

const catalogue = new StaticCatalogue(KNOWN_MODELS);
const line = (model: string) =>
  JSON.stringify({
    custom_id: "r1",
    method: "POST",
    url: "/v1/chat/completions",
    body: { model, messages: [{ role: "user", content: "Hi" }] },
  });

describe("retired Workers AI models", () => {
  it("lists the eighteen models of the deprecation changelog, none of them in the catalogue", () => {
    expect(CATALOGUE_DATA.retired).toHaveLength(18);
    expect(CATALOGUE_DATA.retired.map((m) => m.id)).toEqual(
      expect.arrayContaining(["@cf/meta/llama-3.1-8b-instruct", "@cf/google/gemma-3-12b-it"]),
    );
    expect(CATALOGUE_DATA.retired.filter((m) => modelSpec(m.id))).toEqual([]);
  });

  it.each(CATALOGUE_DATA.retired.map((m) => m.id))(
    "refuses %s at validation, saying it was retired",
    (id) => {
      const check = checkRequestLine(line(id), {
        endpoint: "/v1/chat/completions",
        catalogue,
        baseModel: null,
      });
      expect(check).toMatchObject({
        ok: false,
        error: { code: "model_not_found", param: "body.model" },
      });
      expect(check.ok ? "" : check.error.message).toContain("retired by Workers AI on 2026-05-30");
    },
  );

  it("names the replacement where the changelog gives one", () => {
    const check = checkRequestLine(line("@cf/moonshotai/kimi-k2.5"), {
      endpoint: "/v1/chat/completions",
      catalogue,
      baseModel: null,
    });
    expect(check.ok ? "" : check.error.message).toContain("Use '@cf/moonshotai/kimi-k2.6' instead.");
  });

  it("answers 5007 from the simulator, as Workers AI does", async () => {
    const sim = new WorkersAiSimulator({ state: new SimulatorState() });
    await expect(
      sim.run("@cf/meta/llama-3.1-8b-instruct", { messages: [{ role: "user", content: "Hi" }] }),
    ).rejects.toThrow(/^5007: No such model/);
  });
});
