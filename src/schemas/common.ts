import { z } from "@hono/zod-openapi";

/**
 * Pieces shared by every list endpoint: OpenAI's cursor-page envelope (`object: "list"`, `data`,
 * `first_id`, `last_id`, `has_more`) and the `limit` / `order` / `after` query parameters. The SDKs
 * page by `after=<last id>` until `has_more` is false, so `has_more` is always present.
 */

export const ListOrderSchema = z
  .enum(["asc", "desc"])
  .openapi("ListOrder", { description: "Sort order by creation time." });
export type ListOrder = z.infer<typeof ListOrderSchema>;

/** `limit` as a query parameter: an integer in [1, max], `fallback` when absent. */
export function limitQuerySchema(options: { max: number; fallback: number }) {
  return z.coerce
    .number()
    .int()
    .min(1)
    .max(options.max)
    .default(options.fallback)
    .openapi({
      description: `Number of objects to return, 1 to ${options.max}; default ${options.fallback}.`,
    });
}

export const AfterQuerySchema = z
  .string()
  .min(1)
  .max(128)
  .optional()
  .openapi({ description: "Cursor: an object id. The page starts after this object." });

export type ListPage<T> = {
  object: "list";
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
};

/** The list envelope around `item`, registered as the component `name`. */
export function listPageSchema<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      object: z.literal("list"),
      data: z.array(item),
      first_id: z.string().nullable().openapi({ description: "Id of the first object in `data`." }),
      last_id: z.string().nullable().openapi({ description: "Id of the last object in `data`." }),
      has_more: z.boolean().openapi({ description: "Whether a page follows this one." }),
    })
    .openapi(name);
}

/** Builds a page from `limit + 1` fetched items: the extra item only says that more exist. */
export function toListPage<T extends { id: string }>(items: T[], limit: number): ListPage<T> {
  return listPage(items.slice(0, limit), items.length > limit);
}

/** The list envelope around one page of items. */
export function listPage<T extends { id: string }>(data: T[], hasMore: boolean): ListPage<T> {
  return {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: hasMore,
  };
}
