import { invalidValue } from "../errors/api-error";

/** Where a webhook may be sent: https only, plus loopback http in the local environment. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Checks a receiver URL and returns it normalized, or throws a 400 naming `param`. Loopback hosts are
 * refused in production: a deployed Worker cannot reach them, and they would only retry for 72 h.
 */
export function parseWebhookUrl(value: string, environment: "production" | "local", param: string): string {
  if (value.length > MAX_WEBHOOK_URL_LENGTH) {
    throw invalidValue(
      param,
      `Invalid '${param}': at most ${MAX_WEBHOOK_URL_LENGTH} characters are allowed.`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidValue(param, `Invalid '${param}': '${value}' is not an absolute URL.`);
  }
  if (url.username !== "" || url.password !== "") {
    throw invalidValue(param, `Invalid '${param}': the URL must not contain credentials.`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (environment === "local" && url.protocol === "http:" && loopback) {
    return url.href;
  }
  if (url.protocol !== "https:") {
    const allowed =
      environment === "local" ? "an https URL (or http on 127.0.0.1, localhost or [::1])" : "an https URL";
    throw invalidValue(param, `Invalid '${param}': expected ${allowed}.`);
  }
  if (loopback && environment === "production") {
    throw invalidValue(param, `Invalid '${param}': the host must be reachable from the internet.`);
  }
  return url.href;
}
