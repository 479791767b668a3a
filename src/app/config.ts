/** Deployment settings read from `[vars]`, parsed once per request or queue batch. */
export type Config = {
  environment: "production" | "local";
  inferenceProvider: "workers-ai" | "simulator";
};

export function readConfig(env: Env): Config {
  const environment = env.ENVIRONMENT === "local" ? "local" : "production";
  const inferenceProvider = env.INFERENCE_PROVIDER === "simulator" ? "simulator" : "workers-ai";
  // the simulator answers with made-up text: never let a production deploy select it by accident
  if (inferenceProvider === "simulator" && environment !== "local") {
    throw new Error("INFERENCE_PROVIDER=simulator is only allowed with ENVIRONMENT=local");
  }
  return { environment, inferenceProvider };
}
