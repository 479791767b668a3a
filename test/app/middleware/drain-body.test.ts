import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PROJECT_A } from "../../helpers/projects";

/** A chunked body of `chunks` 64 KiB chunks; `state` says whether the Worker read it to its end. */
function chunkedBody(chunks: number) {
  const state = { ended: false, cancelled: false };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ === chunks) {
        state.ended = true;
        controller.close();
        return;
      }
      controller.enqueue(new Uint8Array(64 * 1024).fill(120));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe("drainUnreadBodies", () => {
  it.each([
    ["refused for its API key", "/v1/batches", "sk-wrong", 401],
    ["sent to an unknown route", "/nothing-here", PROJECT_A.key, 404],
    ["sent to an upload that is refused", "/v1/files", PROJECT_A.key, 400],
  ])("reads the whole body of a request %s before answering", async (_label, path, key, status) => {
    // 640 KiB: under the JSON body limit, which would answer 413 first
    const { stream, state } = chunkedBody(10);
    const res = await exports.default.fetch(
      new Request(`http://batch.test${path}`, {
        method: "POST",
        body: stream,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      }),
    );
    expect(res.status).toBe(status);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    await res.body?.cancel();
    // a body left unread breaks the keep-alive connection: the client's next request on it hangs
    expect(state).toEqual({ ended: true, cancelled: false });
  });
});
