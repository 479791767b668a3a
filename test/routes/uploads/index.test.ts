import { describe, expect, it } from "vitest";
import { call } from "../../helpers/api";

type Operation = { operationId: string; security: unknown[]; requestBody?: { content: object } };

describe("registerUploadRoutes", () => {
  it("documents the four Uploads operations, parts as multipart", async () => {
    const res = await call<{ paths: Record<string, Record<string, Operation>> }>("GET", "/openapi.json", {
      key: null,
    });
    expect(res.status).toBe(200);
    const operations = Object.entries(res.body.paths)
      .filter(([path]) => path.startsWith("/v1/uploads"))
      .flatMap(([path, verbs]) =>
        Object.entries(verbs).map(([verb, op]) => `${verb} ${path} ${op.operationId}`),
      );
    expect(operations.sort()).toEqual([
      "post /v1/uploads createUpload",
      "post /v1/uploads/{upload_id}/cancel cancelUpload",
      "post /v1/uploads/{upload_id}/complete completeUpload",
      "post /v1/uploads/{upload_id}/parts addUploadPart",
    ]);
    const parts = res.body.paths["/v1/uploads/{upload_id}/parts"]?.post;
    expect(parts?.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(parts?.requestBody?.content ?? {})).toEqual(["multipart/form-data"]);
  });
});
