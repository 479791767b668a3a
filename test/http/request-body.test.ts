import { describe, expect, it } from "vitest";
import { drainBody, readBodyWithin } from "../../src/http/request-body";

/** A body of `chunks` chunks of `size` bytes that records how far it was read and whether it was cancelled. */
function counted(chunks: number, size = 1000) {
  const state = { pulled: 0, ended: false, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull: (controller) => {
      if (state.pulled === chunks) {
        state.ended = true;
        controller.close();
        return;
      }
      state.pulled++;
      controller.enqueue(new Uint8Array(size).fill(120));
    },
    cancel: () => {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe("drainBody", () => {
  function endless(): { stream: ReadableStream<Uint8Array>; state: { read: number; cancelled: boolean } } {
    const state = { read: 0, cancelled: false };
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        state.read += 1000;
        controller.enqueue(new Uint8Array(1000));
      },
      cancel: () => {
        state.cancelled = true;
      },
    });
    return { stream, state };
  }

  it("reads a body to its end", async () => {
    let left = 100;
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => (left-- > 0 ? controller.enqueue(new Uint8Array(100)) : controller.close()),
    });
    await drainBody(body);
    expect(left).toBe(-1);
  });

  it("cancels a body once the byte budget is spent", async () => {
    const { stream, state } = endless();
    await drainBody(stream, { maxBytes: 50_000, maxMs: 60_000 });
    expect(state.cancelled).toBe(true);
    expect(state.read).toBeGreaterThan(50_000);
    expect(state.read).toBeLessThan(60_000);
  });

  it("cancels a body that stalls past the time budget", async () => {
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      pull: () => new Promise<void>(() => undefined),
      cancel: () => {
        cancelled = true;
      },
    });
    await drainBody(stalled, { maxBytes: 1000, maxMs: 5 });
    expect(cancelled).toBe(true);
  });

  it("leaves a locked body and a missing body alone", async () => {
    const { stream, state } = endless();
    const reader = stream.getReader();
    await drainBody(stream);
    await drainBody(null);
    expect(state.cancelled).toBe(false);
    reader.releaseLock();
  });
});

describe("readBodyWithin", () => {
  it("returns a body of up to the limit whole", async () => {
    const { stream } = counted(3);
    expect((await readBodyWithin(stream, 3000, null))?.length).toBe(3000);
  });

  it("refuses a body over the limit, but reads it to its end so the connection stays usable", async () => {
    const { stream, state } = counted(50);
    expect(await readBodyWithin(stream, 3000, null)).toBeNull();
    expect(state).toMatchObject({ ended: true, cancelled: false });
  });

  it("refuses a declared Content-Length over the limit, still reading the body to its end", async () => {
    const { stream, state } = counted(5);
    expect(await readBodyWithin(stream, 3000, "5000")).toBeNull();
    expect(state).toMatchObject({ pulled: 5, ended: true, cancelled: false });
  });
});
