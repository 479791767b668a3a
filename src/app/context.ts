import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ProjectId } from "../domain/ids";
import type { Deps } from "./deps";

export type AppEnv = {
  Bindings: Env;
  Variables: { requestId: string; deps: Deps; projectId: ProjectId };
};

export type App = OpenAPIHono<AppEnv>;
