import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createDeps } from "../../src/app/deps";
import type { AiBinding } from "../../src/inference/ai-binding";
import { CatalogueCache } from "../../src/inference/catalogue";
import { SimulatorState, WorkersAiSimulator } from "../../src/inference/simulator/simulator";
import { InferenceError } from "../../src/inference/types";
import { WorkersAiProvider } from "../../src/inference/workers-ai-provider";
import { BGE_SMALL, chat, inferenceRequest, LLAMA_70B } from "./fixtures";

function overSimulator(): WorkersAiProvider {
  return new WorkersAiProvider(new WorkersAiSimulator({ state: new SimulatorState() }), {
    aliases: { "gpt-4o-mini": "@cf/meta/llama-3.1-8b-instruct-fast" },
    cache: new CatalogueCache(),
  });
}

describe("WorkersAiProvider over the simulator", () => {
  it.each([
    ["/v1/chat/completions", chat("Hello there"), "chat.completion"],
    ["/v1/completions", inferenceRequest("/v1/completions", { prompt: "Once upon" }), "text_completion"],
    ["/v1/embeddings", inferenceRequest("/v1/embeddings", { input: ["a", "b"] }, BGE_SMALL), "list"],
  ])("answers %s with an OpenAI %s", async (_endpoint, request, object) => {
    const { body, usage } = await overSimulator().run(request);
    expect(body.object).toBe(object);
    expect(usage.inputTokens).toBeGreaterThan(0);
  });

  it("runs a LoRA adapter named by the line's model", async () => {
    const catalogue = await overSimulator().catalogue();
    const model = catalogue.resolve("support-bot", LLAMA_70B.id);
    expect(model).toMatchObject({ id: LLAMA_70B.id, lora: "support-bot" });
    const { body } = await overSimulator().run({ ...chat("Hi"), model: model ?? LLAMA_70B });
    expect(body).toMatchObject({
      model: "support-bot",
      choices: [{ message: { content: expect.stringContaining("adapter support-bot") } }],
    });
  });

  it("turns binding errors into InferenceErrors", async () => {
    const err = await overSimulator()
      .run(chat("Hi", { lora: "x" }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InferenceError);
    expect(err).toMatchObject({ status: 405, code: "5005", transient: false });
  });

  it("serves the live catalogue plus aliases", async () => {
    const catalogue = await overSimulator().catalogue();
    expect(catalogue.resolve("@cf/openai/gpt-oss-120b")).not.toBeNull();
    expect(catalogue.resolve("gpt-4o-mini")).toMatchObject({ id: "@cf/meta/llama-3.1-8b-instruct-fast" });
  });
});

describe("WorkersAiProvider over env.AI", () => {
  it("production deps call env.AI.run with the Workers AI inputs", async () => {
    const run = vi.fn(async () => ({
      response: "From the binding.",
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    }));
    const fakeAi: AiBinding = { run, models: async () => [] };
    const productionEnv = { ...env, ENVIRONMENT: "production", INFERENCE_PROVIDER: "workers-ai", AI: fakeAi };
    const deps = createDeps(productionEnv as unknown as Env);

    const { body, usage } = await deps.inference.run(chat("Hi", { max_tokens: 20, temperature: 0 }));

    expect(run).toHaveBeenCalledWith(
      "@cf/meta/llama-3.1-8b-instruct-fast",
      { messages: [{ role: "user", content: "Hi" }], max_tokens: 20, temperature: 0 },
      { rejectIfBusy: true },
    );
    expect(body).toMatchObject({ choices: [{ message: { content: "From the binding." } }] });
    expect(usage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
  });

  it("refuses to build without the AI binding, clearly", () => {
    const noAi = { ...env, ENVIRONMENT: "production", INFERENCE_PROVIDER: "workers-ai" };
    expect(() => createDeps(noAi as unknown as Env)).toThrow(/needs the Workers AI binding/);
  });

  it("local deps use the simulator, never env.AI", async () => {
    const deps = createDeps(env);
    const { body } = await deps.inference.run(chat("Hi"));
    expect(JSON.stringify(body)).toContain("Simulated reply");
  });
});
