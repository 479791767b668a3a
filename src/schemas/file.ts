import { z } from "@hono/zod-openapi";
import {
  EXPIRES_AFTER_MAX_SECONDS,
  EXPIRES_AFTER_MIN_SECONDS,
  FILE_PURPOSES,
  FILE_STATUSES,
  UPLOAD_PURPOSES,
} from "../domain/files";
import { AfterQuerySchema, ListOrderSchema, limitQuerySchema, listPageSchema } from "./common";

export const FilePurposeSchema = z.enum(FILE_PURPOSES).openapi("FilePurpose");
export const UploadPurposeSchema = z.enum(UPLOAD_PURPOSES).openapi("UploadPurpose");

export const FileObjectSchema = z
  .object({
    id: z.templateLiteral(["file-", z.string()]).openapi({ example: "file-01J2Z4Y6W8X0A2B4C6D8E0F2G4" }),
    object: z.literal("file"),
    bytes: z.number().int().openapi({ description: "Size of the file in bytes." }),
    created_at: z.number().int().openapi({ description: "Unix time (seconds) of the upload." }),
    expires_at: z.number().int().nullable().openapi({
      description:
        "Unix time (seconds) after which the file is gone. 30 days after upload for purpose `batch`; null (never) for others unless `expires_after` was given.",
    }),
    filename: z.string(),
    purpose: FilePurposeSchema,
    status: z.enum(FILE_STATUSES).openapi({ description: "Deprecated; always `processed`." }),
    status_details: z.string().nullable().openapi({ description: "Deprecated; always null." }),
  })
  .openapi("FileObject");
export type FileObject = z.infer<typeof FileObjectSchema>;

export const FileListSchema = listPageSchema(FileObjectSchema, "ListFilesResponse");
export type FileList = z.infer<typeof FileListSchema>;

export const FileDeletedSchema = z
  .object({ id: z.string(), object: z.literal("file"), deleted: z.literal(true) })
  .openapi("DeleteFileResponse");
export type FileDeleted = z.infer<typeof FileDeletedSchema>;

// any string: an id that is not a file id answers 404 like an unknown one, as OpenAI does
export const FileIdParamSchema = z.object({
  file_id: z
    .string()
    .min(1)
    .openapi({ param: { name: "file_id", in: "path" }, example: "file-01J2Z4Y6W8X0A2B4C6D8E0F2G4" }),
});

export const ListFilesQuerySchema = z.object({
  purpose: FilePurposeSchema.optional().openapi({ description: "Only files with this purpose." }),
  limit: limitQuerySchema({ max: 10_000, fallback: 10_000 }),
  order: ListOrderSchema.default("desc"),
  after: AfterQuerySchema,
});
export type ListFilesQuery = z.infer<typeof ListFilesQuerySchema>;

export const IdempotencyHeaderSchema = z.object({
  "idempotency-key": z
    .string()
    .max(255)
    .optional()
    .openapi({ description: "Extension: a retried upload with the same key returns the first file." }),
});

/**
 * The multipart body, for the OpenAPI document only. It is deliberately a plain JSON Schema and
 * not zod: `@hono/zod-openapi` installs a validator that buffers the whole body (`parseBody()`)
 * for any zod form schema, and uploads are streamed instead (services/file-upload.ts).
 */
export const CreateFileRequestDocument = {
  type: "object" as const,
  required: ["file", "purpose"],
  properties: {
    file: {
      type: "string" as const,
      format: "binary",
      description: "The file. Parts may come in any order.",
    },
    purpose: {
      type: "string" as const,
      enum: [...UPLOAD_PURPOSES],
      description: "`batch` needs a `.jsonl` file of at most 200 MB whose first line is JSON.",
    },
    "expires_after[anchor]": { type: "string" as const, enum: ["created_at"] },
    "expires_after[seconds]": {
      type: "string" as const,
      description: `Integer seconds after \`created_at\`, ${EXPIRES_AFTER_MIN_SECONDS} to ${EXPIRES_AFTER_MAX_SECONDS}.`,
    },
  },
};
