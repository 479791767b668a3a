import { exports } from "cloudflare:workers";
import { PROJECT_A } from "./projects";

export type ApiResponse<T = unknown> = { status: number; headers: Headers; body: T };

const BASE = "http://batch.test";

/** A request through the Worker's real fetch handler, as a client would make it. */
export async function call<T = unknown>(
  method: string,
  path: string,
  options: { key?: string | null; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers = new Headers(options.headers);
  const key = options.key === undefined ? PROJECT_A.key : options.key;
  if (key !== null) {
    headers.set("authorization", `Bearer ${key}`);
  }
  let body = options.body;
  if (options.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(options.json);
  }
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  // decoded here rather than with res.text(): workerd logs a warning for .text() on a body whose
  // Content-Type is not text, which file downloads (application/octet-stream) always are
  const text = new TextDecoder().decode(await res.arrayBuffer());
  const type = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    headers: res.headers,
    body: (type.includes("json") ? JSON.parse(text) : text) as T,
  };
}

export type ErrorEnvelope = {
  error: { message: string; type: string; param: string | null; code: string | null };
};
