import type { Context } from "hono";
import { bindingMetricsSnapshot, resetBindingMetrics } from "../../app/binding-metrics";
import type { App, AppEnv } from "../../app/context";
import { ApiError } from "../../errors/api-error";
import { BATCH_ENDPOINTS, type BatchEndpoint } from "../../inference/types";
import { directRun } from "../../services/direct-run";

/**
 * Local benchmark helpers under `/v1/_debug/*` (`npm run bench:batch`). They behave as if they did
 * not exist (404) unless `ENVIRONMENT = "local"` and `BINDING_METRICS = "on"`, and they are kept
 * out of the OpenAPI document on purpose. Auth is the usual `/v1` key.
 */
function assertEnabled(c: Context<AppEnv>): void {
  if (!c.var.deps.config.bindingMetrics) {
    throw new ApiError("not_found", `Invalid URL (${c.req.method} ${c.req.path})`);
  }
}

function concurrencyParam(value: string | undefined): number {
  const n = Number(value ?? 8);
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new ApiError("invalid_request", "concurrency must be an integer from 1 to 1024.", {
      param: "concurrency",
    });
  }
  return n;
}

function endpointParam(value: string | undefined): BatchEndpoint {
  const endpoint = value ?? "/v1/chat/completions";
  if (!(BATCH_ENDPOINTS as readonly string[]).includes(endpoint)) {
    throw new ApiError("invalid_request", `endpoint must be one of ${BATCH_ENDPOINTS.join(", ")}.`, {
      param: "endpoint",
    });
  }
  return endpoint as BatchEndpoint;
}

export function registerDebugRoutes(app: App): void {
  /** The isolate's binding-operation counters (src/app/binding-metrics.ts). */
  app.get("/v1/_debug/binding-metrics", (c) => {
    assertEnabled(c);
    return c.json(bindingMetricsSnapshot(), 200);
  });

  app.post("/v1/_debug/binding-metrics/reset", (c) => {
    assertEnabled(c);
    resetBindingMetrics();
    return c.json(bindingMetricsSnapshot(), 200);
  });

  /** The body's JSONL lines straight to the model, `?concurrency=N` at a time (src/services/direct-run.ts). */
  app.post("/v1/_debug/direct-run", async (c) => {
    assertEnabled(c);
    const body = c.req.raw.body;
    if (!body) {
      throw new ApiError("invalid_request", "Send the JSONL lines as the request body.");
    }
    const result = await directRun(c.var.deps, body, {
      endpoint: endpointParam(c.req.query("endpoint")),
      concurrency: concurrencyParam(c.req.query("concurrency")),
    });
    return c.json(result, 200);
  });
}
