import { z } from "@hono/zod-openapi";
import { AfterQuerySchema, limitQuerySchema, listPageSchema } from "./common";

/**
 * The Admin API's wire shapes (`/v1/organization/*`), as the official SDKs type them
 * (openai-node `resources/admin/organization/**`): projects, admin keys, project keys, service
 * accounts and rate limits.
 */

const CONTROL_CHARS = /[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/u;

/** A display name: 1–200 characters, no control characters. */
export const NameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((value) => !CONTROL_CHARS.test(value), { message: "must not contain control characters" });

const unix = (description: string) => z.number().int().openapi({ description });

export const ProjectSchema = z
  .object({
    id: z.string().openapi({ example: "proj_01J2Z4Y6W8X0A2B4C6D8E0F2G4" }),
    object: z.literal("organization.project"),
    name: z.string(),
    created_at: unix("Unix seconds of creation."),
    archived_at: z.number().int().nullable(),
    status: z.enum(["active", "archived"]),
    external_key_id: z.string().nullable(),
  })
  .openapi("Project");
export type Project = z.infer<typeof ProjectSchema>;
export const ProjectListSchema = listPageSchema(ProjectSchema, "ProjectListResponse");

export const CreateProjectBodySchema = z
  .object({
    name: NameSchema,
    external_key_id: z.string().max(200).nullable().optional(),
    geography: z.string().nullable().optional().openapi({ description: "Accepted and ignored." }),
  })
  .openapi("ProjectCreateRequest");

export const UpdateProjectBodySchema = z
  .object({
    name: NameSchema.nullable().optional(),
    external_key_id: z.string().max(200).nullable().optional(),
    geography: z.string().nullable().optional().openapi({ description: "Accepted and ignored." }),
  })
  .openapi("ProjectUpdateRequest");

export const ListProjectsQuerySchema = z.object({
  limit: limitQuerySchema({ max: 100, fallback: 20 }),
  after: AfterQuerySchema,
  include_archived: z
    .enum(["true", "false"])
    .default("false")
    .openapi({ description: "Also list archived projects." }),
});

/** An admin-routes page query: `limit` and `after`. */
export const PageQuerySchema = z.object({
  limit: limitQuerySchema({ max: 100, fallback: 20 }),
  after: AfterQuerySchema,
});

export const ProjectIdParamSchema = z.object({
  project_id: z
    .string()
    .min(1)
    .openapi({ param: { name: "project_id", in: "path" } }),
});

// ---- admin keys ----------------------------------------------------------------------------------

const AdminOwnerSchema = z.object({
  type: z.string(),
  object: z.string(),
  id: z.string(),
  name: z.string(),
  created_at: z.number().int(),
  role: z.string(),
});

export const AdminApiKeySchema = z
  .object({
    id: z.string(),
    object: z.literal("organization.admin_api_key"),
    name: z.string().nullable(),
    redacted_value: z.string(),
    created_at: z.number().int(),
    expires_at: z.number().int().nullable(),
    last_used_at: z.number().int().nullable(),
    owner: AdminOwnerSchema,
  })
  .openapi("AdminApiKey");
export type AdminApiKey = z.infer<typeof AdminApiKeySchema>;

export const AdminApiKeyCreatedSchema = AdminApiKeySchema.extend({
  value: z.string().openapi({ description: "The key. Shown only in this response." }),
}).openapi("AdminApiKeyCreateResponse");

export const AdminApiKeyListSchema = listPageSchema(AdminApiKeySchema, "ApiKeyList");

export const CreateAdminApiKeyBodySchema = z
  .object({
    name: NameSchema,
    expires_in_seconds: z.number().int().min(60).max(315_360_000).optional(),
  })
  .openapi("AdminApiKeyCreateRequest");

export const ListAdminApiKeysQuerySchema = PageQuerySchema.extend({
  order: z.enum(["asc", "desc"]).default("asc"),
});

export const KeyIdParamSchema = z.object({
  key_id: z
    .string()
    .min(1)
    .openapi({ param: { name: "key_id", in: "path" } }),
});

export const AdminApiKeyDeletedSchema = z
  .object({
    id: z.string(),
    object: z.literal("organization.admin_api_key.deleted"),
    deleted: z.literal(true),
  })
  .openapi("AdminApiKeyDeleteResponse");

// ---- project keys and service accounts -----------------------------------------------------------

export const ServiceAccountSchema = z
  .object({
    id: z.string(),
    object: z.literal("organization.project.service_account"),
    name: z.string(),
    role: z.enum(["owner", "member", "none"]),
    created_at: z.number().int(),
  })
  .openapi("ProjectServiceAccount");
export type ServiceAccount = z.infer<typeof ServiceAccountSchema>;
export const ServiceAccountListSchema = listPageSchema(
  ServiceAccountSchema,
  "ProjectServiceAccountListResponse",
);

export const ServiceAccountCreatedSchema = ServiceAccountSchema.extend({
  api_key: z
    .object({
      object: z.literal("organization.project.service_account.api_key"),
      id: z.string(),
      name: z.string(),
      value: z.string().openapi({ description: "The key. Shown only in this response." }),
      created_at: z.number().int(),
    })
    .nullable(),
}).openapi("ProjectServiceAccountCreateResponse");

export const CreateServiceAccountBodySchema = z
  .object({ name: NameSchema, create_service_account_only: z.boolean().nullable().optional() })
  .openapi("ProjectServiceAccountCreateRequest");

export const ServiceAccountParamSchema = ProjectIdParamSchema.extend({
  service_account_id: z
    .string()
    .min(1)
    .openapi({ param: { name: "service_account_id", in: "path" } }),
});

export const ServiceAccountDeletedSchema = z
  .object({
    id: z.string(),
    object: z.literal("organization.project.service_account.deleted"),
    deleted: z.literal(true),
  })
  .openapi("ProjectServiceAccountDeleteResponse");

export const ProjectApiKeySchema = z
  .object({
    id: z.string(),
    object: z.literal("organization.project.api_key"),
    name: z.string(),
    redacted_value: z.string(),
    created_at: z.number().int(),
    last_used_at: z.number().int().nullable(),
    owner_project_access: z.enum(["active", "inactive"]),
    owner: z.object({
      type: z.enum(["user", "service_account"]),
      service_account: ServiceAccountSchema.omit({ object: true }).optional(),
    }),
  })
  .openapi("ProjectApiKey");
export type ProjectApiKey = z.infer<typeof ProjectApiKeySchema>;
export const ProjectApiKeyListSchema = listPageSchema(ProjectApiKeySchema, "ProjectApiKeyListResponse");

export const ListProjectApiKeysQuerySchema = PageQuerySchema.extend({
  owner_project_access: z.enum(["active", "inactive", "any"]).optional(),
});

export const ProjectApiKeyParamSchema = ProjectIdParamSchema.extend({
  api_key_id: z
    .string()
    .min(1)
    .openapi({ param: { name: "api_key_id", in: "path" } }),
});

export const ProjectApiKeyDeletedSchema = z
  .object({
    id: z.string(),
    object: z.literal("organization.project.api_key.deleted"),
    deleted: z.literal(true),
  })
  .openapi("ProjectApiKeyDeleteResponse");

// ---- rate limits ---------------------------------------------------------------------------------

const limit = (description: string) =>
  z.number().int().min(1).max(1_000_000_000_000).openapi({ description });

export const RateLimitSchema = z
  .object({
    id: z.string().openapi({ example: "rl-cf-meta-llama-3.1-8b-instruct" }),
    object: z.literal("project.rate_limit"),
    model: z.string(),
    max_requests_per_1_minute: z.number().int(),
    max_tokens_per_1_minute: z.number().int(),
    max_requests_per_1_day: z.number().int().optional(),
    batch_1_day_max_input_tokens: z.number().int(),
    enqueued_input_tokens: z.number().int().openapi({
      description:
        "Extension: estimated input tokens of the project's live batches for this model, held from validation to their end and counted against batch_1_day_max_input_tokens.",
    }),
  })
  .openapi("ProjectRateLimit");
export type RateLimit = z.infer<typeof RateLimitSchema>;
export const RateLimitListSchema = listPageSchema(RateLimitSchema, "ProjectRateLimitListResponse");

export const UpdateRateLimitBodySchema = z
  .strictObject({
    max_requests_per_1_minute: limit("Requests a minute.").optional(),
    max_tokens_per_1_minute: limit("Tokens a minute.").optional(),
    max_requests_per_1_day: limit("Requests a day.").optional(),
    batch_1_day_max_input_tokens: limit("Input tokens of queued batch lines a day.").optional(),
  })
  .openapi("ProjectRateLimitUpdateRequest");
export type UpdateRateLimitBody = z.infer<typeof UpdateRateLimitBodySchema>;

export const ListRateLimitsQuerySchema = z.object({
  limit: limitQuerySchema({ max: 100, fallback: 100 }),
  after: AfterQuerySchema,
  before: AfterQuerySchema,
});

export const RateLimitParamSchema = ProjectIdParamSchema.extend({
  rate_limit_id: z
    .string()
    .min(1)
    .openapi({ param: { name: "rate_limit_id", in: "path" } }),
});
