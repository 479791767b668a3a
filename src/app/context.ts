import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ProjectId } from "../domain/ids";
import type { Deps } from "./deps";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    deps: Deps;
    /** Set on project routes: the key's project and the key's id (for usage by `api_key_id`). */
    projectId: ProjectId;
    apiKeyId: string;
    /** Set on admin routes (`/v1/organization/*`): the admin key's id. */
    adminKeyId: string;
  };
};

export type App = OpenAPIHono<AppEnv>;
