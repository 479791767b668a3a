import { describe, expect, it } from "vitest";
import { call } from "../../helpers/api";

type Operation = {
  operationId: string;
  tags: string[];
  security: unknown[];
  requestBody?: { content: object };
};

describe("registerFileRoutes", () => {
  it("documents the five Files operations in the OpenAPI document", async () => {
    const res = await call<{ paths: Record<string, Record<string, Operation>> }>("GET", "/openapi.json", {
      key: null,
    });
    expect(res.status).toBe(200);
    const operations = Object.entries(res.body.paths)
      .filter(([path]) => path.startsWith("/v1/files"))
      .flatMap(([path, verbs]) =>
        Object.entries(verbs).map(([verb, op]) => `${verb} ${path} ${op.operationId}`),
      );
    expect(operations.sort()).toEqual([
      "delete /v1/files/{file_id} deleteFile",
      "get /v1/files listFiles",
      "get /v1/files/{file_id} retrieveFile",
      "get /v1/files/{file_id}/content downloadFile",
      "post /v1/files createFile",
    ]);
    const create = res.body.paths["/v1/files"]?.post;
    expect(create?.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(create?.requestBody?.content ?? {})).toEqual(["multipart/form-data"]);
  });
});
