import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { localClient, origin } from "./helpers";

describe("the local stack", () => {
  it("answers /health", async () => {
    const res = await fetch(`${origin()}/health`);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("rejects a wrong key with the SDK's AuthenticationError", async () => {
    const client = localClient({ apiKey: "sk-wrong" });
    await expect(client.files.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
