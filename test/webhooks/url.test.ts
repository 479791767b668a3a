import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors/api-error";
import { MAX_WEBHOOK_URL_LENGTH, parseWebhookUrl } from "../../src/webhooks/url";

const long = `https://example.com/${"a".repeat(MAX_WEBHOOK_URL_LENGTH)}`;

function rejection(value: string, environment: "production" | "local"): ApiError | null {
  try {
    parseWebhookUrl(value, environment, "webhook_url");
    return null;
  } catch (err) {
    return err as ApiError;
  }
}

describe("parseWebhookUrl", () => {
  it.each([
    ["https://example.com/hook", "production", "https://example.com/hook"],
    ["https://Example.COM:8443/a/b?x=1", "production", "https://example.com:8443/a/b?x=1"],
    ["https://example.com", "production", "https://example.com/"],
    ["https://example.com/hook", "local", "https://example.com/hook"],
    ["http://127.0.0.1:9000/hook", "local", "http://127.0.0.1:9000/hook"],
    ["http://localhost:9000/hook", "local", "http://localhost:9000/hook"],
    ["http://[::1]:9000/hook", "local", "http://[::1]:9000/hook"],
  ] as const)("accepts %s in %s", (value, environment, normalized) => {
    expect(parseWebhookUrl(value, environment, "webhook_url")).toBe(normalized);
  });

  it.each([
    ["not a URL", "not-a-url", "production", /not an absolute URL/],
    ["a relative path", "/hooks/batch", "local", /not an absolute URL/],
    ["plain http", "http://example.com/hook", "production", /expected an https URL/],
    [
      "plain http to a public host, even locally",
      "http://example.com/hook",
      "local",
      /or http on 127\.0\.0\.1/,
    ],
    ["loopback http in production", "http://127.0.0.1:9000/hook", "production", /expected an https URL/],
    ["loopback https in production", "https://localhost/hook", "production", /reachable from the internet/],
    ["another scheme", "ftp://example.com/hook", "production", /expected an https URL/],
    ["a javascript: URL", "javascript:alert(1)", "local", /expected an https URL/],
    ["a user name", "https://user@example.com/hook", "production", /must not contain credentials/],
    ["a user and password", "https://user:pw@example.com/hook", "local", /must not contain credentials/],
    ["a URL that is too long", long, "production", /at most 2048 characters/],
  ] as const)("rejects %s with a 400 on the parameter", (_name, value, environment, message) => {
    const err = rejection(value, environment);
    expect(err).toBeInstanceOf(ApiError);
    expect(err?.status).toBe(400);
    expect(err?.toBody().error).toMatchObject({ param: "webhook_url", code: "invalid_value" });
    expect(err?.message).toMatch(message);
  });

  it("names the parameter it was given", () => {
    expect(() => parseWebhookUrl("nope", "production", "url")).toThrow(
      expect.objectContaining({ param: "url" }) as Error,
    );
  });
});
