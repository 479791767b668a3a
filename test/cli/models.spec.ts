import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { isModelServed } from "../../cli/lib/models.mjs";

const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";

/** A client whose server answers each (decoded) path from `routes`; anything else is a bare 404. */
function client(routes: Record<string, { status: number; body: unknown }>): { sdk: OpenAI; paths: string[] } {
  const paths: string[] = [];
  const sdk = new OpenAI({
    baseURL: "http://models.test/v1",
    apiKey: "sk-test",
    maxRetries: 0,
    fetch: async (input: string | URL | Request) => {
      const pathname = decodeURIComponent(new URL(input instanceof Request ? input.url : input).pathname);
      paths.push(pathname);
      const route = routes[pathname] ?? { status: 404, body: { detail: "Not Found" } };
      return new Response(JSON.stringify(route.body), {
        status: route.status,
        headers: { "content-type": "application/json" },
      });
    },
  });
  return { sdk, paths };
}

const notFound = {
  status: 404,
  body: {
    error: {
      message: "The model 'x' does not exist",
      type: "invalid_request_error",
      param: "model",
      code: "model_not_found",
    },
  },
};
const list = { status: 200, body: { object: "list", data: [{ id: MODEL, object: "model", created: 0 }] } };

describe("isModelServed", () => {
  it("asks for the one model", async () => {
    const { sdk, paths } = client({ [`/v1/models/${MODEL}`]: { status: 200, body: {} } });
    expect(await isModelServed(sdk, MODEL)).toBe(true);
    expect(paths).toEqual([`/v1/models/${MODEL}`]);
  });

  it("says no on the server's model_not_found", async () => {
    const { sdk, paths } = client({
      "/v1/models/gpt-17": notFound,
      "/v1/models": list,
    });
    expect(await isModelServed(sdk, "gpt-17")).toBe(false);
    expect(paths).toHaveLength(1);
  });

  it("falls back to the model list on servers that only list models", async () => {
    const { sdk } = client({ "/v1/models": list });
    expect(await isModelServed(sdk, MODEL)).toBe(true);
    expect(await isModelServed(sdk, "gpt-17")).toBe(false);
  });

  it("cannot tell (null) when the server has no model routes at all", async () => {
    expect(await isModelServed(client({}).sdk, MODEL)).toBeNull();
  });

  it("lets other errors through, such as a refused key", async () => {
    const { sdk } = client({
      [`/v1/models/${MODEL}`]: { status: 401, body: { error: { message: "bad key" } } },
    });
    await expect(isModelServed(sdk, MODEL)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
