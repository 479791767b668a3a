import { z } from "@hono/zod-openapi";
import { EXPIRES_AFTER_MAX_SECONDS, EXPIRES_AFTER_MIN_SECONDS } from "../domain/files";
import { MAX_COMPLETE_PARTS, MAX_PART_BYTES, UPLOAD_STATUSES } from "../domain/uploads";
import { FileObjectSchema, UploadPurposeSchema } from "./file";

export const CreateUploadBodySchema = z
  .object({
    bytes: z.number().int().min(0).openapi({ description: "The size of the whole file, in bytes." }),
    filename: z.string().min(1).max(512),
    mime_type: z
      .string()
      .min(1)
      .max(255)
      .openapi({ description: "For `batch`: `application/jsonl` or `text/jsonl`.", example: "text/jsonl" }),
    purpose: UploadPurposeSchema,
    expires_after: z
      .object({
        anchor: z.literal("created_at"),
        seconds: z.number().int().min(EXPIRES_AFTER_MIN_SECONDS).max(EXPIRES_AFTER_MAX_SECONDS),
      })
      .optional()
      .openapi({ description: "Expiry of the file the completed upload becomes." }),
  })
  .openapi("CreateUploadRequest");
export type CreateUploadBody = z.infer<typeof CreateUploadBodySchema>;

export const UploadSchema = z
  .object({
    id: z.templateLiteral(["upload_", z.string()]).openapi({ example: "upload_01J2Z4Y6W8X0A2B4C6D8E0F2G4" }),
    object: z.literal("upload"),
    bytes: z.number().int(),
    created_at: z.number().int(),
    expires_at: z.number().int().openapi({ description: "One hour after `created_at`." }),
    filename: z.string(),
    purpose: z.string(),
    status: z.enum(UPLOAD_STATUSES),
    file: FileObjectSchema.nullable().openapi({ description: "The file, once `completed`." }),
  })
  .openapi("Upload");
export type Upload = z.infer<typeof UploadSchema>;

export const UploadPartSchema = z
  .object({
    id: z.templateLiteral(["part_", z.string()]),
    object: z.literal("upload.part"),
    created_at: z.number().int(),
    upload_id: z.templateLiteral(["upload_", z.string()]),
  })
  .openapi("UploadPart");
export type UploadPart = z.infer<typeof UploadPartSchema>;

export const CompleteUploadBodySchema = z
  .object({
    part_ids: z
      .array(z.string().min(1).max(128))
      .min(1)
      .max(MAX_COMPLETE_PARTS)
      .openapi({ description: "The parts, in the order of the file." }),
    md5: z.string().max(64).optional().openapi({ description: "Hex MD5 of the whole file, checked." }),
  })
  .openapi("CompleteUploadRequest");
export type CompleteUploadBody = z.infer<typeof CompleteUploadBodySchema>;

// any string: an id that is not an upload id answers 404 like an unknown one
export const UploadIdParamSchema = z.object({
  upload_id: z
    .string()
    .min(1)
    .openapi({ param: { name: "upload_id", in: "path" }, example: "upload_01J2Z4Y6W8X0A2B4C6D8E0F2G4" }),
});

/** The multipart body of a part, for the OpenAPI document only (a zod form schema would buffer it). */
export const AddPartRequestDocument = {
  type: "object" as const,
  required: ["data"],
  properties: {
    data: {
      type: "string" as const,
      format: "binary",
      description: `The part's bytes, at most ${MAX_PART_BYTES} (64 MB).`,
    },
  },
};
