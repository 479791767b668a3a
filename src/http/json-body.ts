/**
 * What a buffered request body is, whatever its Content-Type says. `curl -d '{…}'` sends JSON as
 * `application/x-www-form-urlencoded`, and OpenAI reads such a body as JSON all the same.
 */

export type JsonBodyKind = "empty" | "json" | "not_json";

/** `application/json` or a `+json` type such as `application/merge-patch+json`, any parameters. */
export function isJsonContentType(value: string | null | undefined): boolean {
  const essence = (value ?? "").split(";")[0]?.trim() ?? "";
  return /^application\/([\w.-]+\+)?json$/i.test(essence);
}

export function jsonBodyKind(bytes: Uint8Array): JsonBodyKind {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return "not_json";
  }
  if (text.trim() === "") {
    return "empty";
  }
  try {
    JSON.parse(text);
    return "json";
  } catch {
    return "not_json";
  }
}
