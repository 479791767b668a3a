import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { ApiError, unsupportedContentType } from "../errors/api-error";
import { apiErrorFromZod } from "../errors/zod-error";
import { registerBatchScheduleRoutes } from "../routes/batch-schedules";
import { registerBatchRoutes } from "../routes/batches";
import { registerDebugRoutes } from "../routes/debug";
import { registerDocsRoutes } from "../routes/docs";
import { registerFileRoutes } from "../routes/files";
import { registerHealthRoute } from "../routes/health";
import { registerModelRoutes } from "../routes/models";
import { registerOrganizationRoutes } from "../routes/organization";
import { registerSyncBatchRoutes } from "../routes/sync-batch";
import { registerUploadRoutes } from "../routes/uploads";
import { registerWebhookRoutes } from "../routes/webhooks";
import type { AppEnv } from "./context";
import { createDeps, type Deps } from "./deps";
import { requireApiKey } from "./middleware/auth";
import { cors } from "./middleware/cors";
import { drainUnreadBodies } from "./middleware/drain-body";
import { readJsonBodies } from "./middleware/json-body";
import { requestId } from "./middleware/request-id";

function toApiError(err: unknown, contentType: string | undefined): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  if (err instanceof HTTPException) {
    // zod-openapi's gate in front of a JSON body: readJsonBodies has already relabelled any JSON body
    if (err.status === 415) {
      return unsupportedContentType(contentType);
    }
    if (err.status === 413) {
      return new ApiError("too_large", "Request body is too large.", { cause: err });
    }
    if (err.status >= 400 && err.status < 500) {
      return new ApiError("invalid_request", err.message || "Invalid request.", { cause: err });
    }
  }
  return new ApiError("internal", "The server had an error while processing your request.", { cause: err });
}

/**
 * The Worker's HTTP surface: middleware, error envelope, docs and every resource's routes.
 * `overrides` replace deps for every request (tests: fakes, small upload limits).
 */
export function createApp(overrides: Partial<Deps> = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        // zod-validator passes the raw input as `data`, which names the offending value in messages
        throw apiErrorFromZod(result.error, "data" in result ? result.data : undefined);
      }
    },
  });

  app.use("*", requestId());
  app.use("*", drainUnreadBodies());
  app.use("*", async (c, next) => {
    c.set("deps", createDeps(c.env, overrides));
    await next();
  });
  app.use("*", cors());
  app.use("/v1/*", requireApiKey());
  app.use("/v1/*", readJsonBodies());

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });
  registerHealthRoute(app);
  registerDocsRoutes(app);
  registerFileRoutes(app);
  registerUploadRoutes(app);
  registerBatchRoutes(app);
  registerBatchScheduleRoutes(app);
  registerModelRoutes(app);
  registerSyncBatchRoutes(app);
  registerWebhookRoutes(app);
  registerOrganizationRoutes(app);
  registerDebugRoutes(app);

  app.onError((err, c) => {
    const apiError = toApiError(err, c.req.header("content-type"));
    if (apiError.status >= 500) {
      const cause = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ""}` : String(err);
      console.error(JSON.stringify({ msg: "request failed", requestId: c.get("requestId"), cause }));
    }
    return c.json(apiError.toBody(), apiError.status, apiError.headers());
  });
  app.notFound((c) => {
    const err = new ApiError("not_found", `Invalid URL (${c.req.method} ${c.req.path})`);
    return c.json(err.toBody(), err.status);
  });
  return app;
}
