import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_ALIASES } from "../../../src/inference/known-models";
import { SIMULATED_MODELS } from "../../../src/inference/simulator/models";
import { type ModelList, ModelListSchema } from "../../../src/schemas/model";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";

describe("GET /v1/models", () => {
  it("lists the simulator's models and the default aliases in OpenAI's shape", async () => {
    const res = await call<ModelList>("GET", "/v1/models");
    expect(res.status).toBe(200);
    const list = ModelListSchema.parse(res.body);
    const ids = list.data.map((model) => model.id);
    expect(ids).toEqual([...SIMULATED_MODELS.map((m) => m.name), ...Object.keys(DEFAULT_MODEL_ALIASES)]);
    expect(list.data.find((m) => m.id === "@cf/meta/llama-3.3-70b-instruct-fp8-fast")).toEqual({
      id: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
      object: "model",
      created: 1733504958,
      owned_by: "meta",
      task: "text-generation",
      root: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
      lora: true,
    });
    expect(list.data.find((m) => m.id === "gpt-4o-mini")).toMatchObject({
      root: "@cf/meta/llama-3.1-8b-instruct-fp8",
      owned_by: "meta",
      task: "text-generation",
    });
  });

  describeAuthCases((key) => call("GET", "/v1/models", { key }));
});
