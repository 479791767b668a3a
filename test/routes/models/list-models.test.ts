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
      context_window: 24000,
      capabilities: {
        function_calling: true,
        json_mode: true,
        lora: true,
        reasoning: false,
        reasoning_effort: [],
        responses_input: false,
        logprobs: false,
        vision: false,
        async_queue: true,
      },
      price: [
        { unit: "per M input tokens", price: 0.29, currency: "USD" },
        { unit: "per M output tokens", price: 2.25, currency: "USD" },
      ],
      requires_workers_paid: false,
      // locally the simulator's account limit (SIMULATOR_RPM_LIMIT, none here); in production the documented 300
      rate_limit: { pool: "task:text-generation", requests_per_minute: expect.any(Number) },
    });
    expect(list.data.find((m) => m.id === "gpt-4o-mini")).toMatchObject({
      root: "@cf/meta/llama-3.1-8b-instruct-fast",
      owned_by: "meta",
      task: "text-generation",
    });
  });

  it("flags models that need Workers Paid and the per-model rate limits", async () => {
    const list = ModelListSchema.parse((await call<ModelList>("GET", "/v1/models")).body);
    const byId = new Map(list.data.map((model) => [model.id, model]));
    expect(byId.get("@cf/moonshotai/kimi-k2.6")?.requires_workers_paid).toBe(true);
    expect(byId.get("@cf/openai/gpt-oss-120b")).toMatchObject({
      requires_workers_paid: false,
      context_window: 128000,
      capabilities: { reasoning: true, reasoning_effort: ["low", "medium", "high"], responses_input: true },
    });
    expect(byId.get("@cf/baai/bge-large-en-v1.5")?.rate_limit.pool).toBe("model:@cf/baai/bge-large-en-v1.5");
    expect(byId.get("@cf/baai/bge-m3")?.rate_limit.pool).toBe("task:text-embeddings");
  });

  describeAuthCases((key) => call("GET", "/v1/models", { key }));
});
