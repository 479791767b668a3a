import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app/deps";
import { type FileId, newId } from "../../src/domain/ids";
import { importFileFromUrl, MAX_INPUT_URL_REDIRECTS } from "../../src/services/input-url";
import { PROJECT_A } from "../helpers/projects";

const deps = createDeps(env);
const START = "https://exports.example.com/nightly/requests.jsonl?token=secret";
const FORBIDDEN = "http://internal.example.com/admin";
const BODY = '{"custom_id":"a"}\n';

type Site = Record<string, () => Response>;

function redirect(location: string, status = 302): () => Response {
  return () => new Response(null, { status, headers: { location } });
}

/**
 * A network of `site`'s URLs that records every URL requested. Like the runtime's fetch, it follows
 * redirects itself unless asked for `redirect: "manual"`; an unknown URL answers 404.
 */
function network(site: Site): typeof fetch & { requested: string[] } {
  const requested: string[] = [];
  const fn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let url = String(input instanceof Request ? input.url : input);
    for (;;) {
      requested.push(url);
      const res = site[url]?.() ?? new Response("not found", { status: 404 });
      const location = res.headers.get("location");
      if (init?.redirect === "manual" || location === null) {
        return res;
      }
      url = new URL(location, url).href;
    }
  };
  return Object.assign(fn as typeof fetch, { requested });
}

function importFrom(fetcher: typeof fetch) {
  return importFileFromUrl(deps, {
    projectId: PROJECT_A.id,
    fileId: newId("file") as FileId,
    url: START,
    fetch: fetcher,
    timeoutMs: 10_000,
  });
}

describe("importFileFromUrl redirects", () => {
  it("follows allowed redirects, relative ones resolved against the hop that sent them", async () => {
    const fetch = network({
      [START]: redirect("https://cdn.example.com/a/b", 301),
      "https://cdn.example.com/a/b": redirect("../final.jsonl", 307),
      "https://cdn.example.com/final.jsonl": () => new Response(BODY),
    });
    const file = await importFrom(fetch);
    expect(file).toMatchObject({ purpose: "batch", bytes: BODY.length, filename: "requests.jsonl" });
    expect(fetch.requested).toEqual([
      START,
      "https://cdn.example.com/a/b",
      "https://cdn.example.com/final.jsonl",
    ]);
  });

  it("refuses a redirect to a forbidden URL without requesting it", async () => {
    const fetch = network({ [START]: redirect(FORBIDDEN), [FORBIDDEN]: () => new Response(BODY) });
    await expect(importFrom(fetch)).rejects.toMatchObject({ code: "input_url_not_allowed" });
    expect(fetch.requested).toEqual([START]);
  });

  it("refuses a chain allowed, then forbidden, then allowed again", async () => {
    const back = "https://exports.example.com/back.jsonl";
    const fetch = network({
      [START]: redirect(FORBIDDEN),
      [FORBIDDEN]: redirect(back),
      [back]: () => new Response(BODY),
    });
    await expect(importFrom(fetch)).rejects.toMatchObject({ code: "input_url_not_allowed" });
    expect(fetch.requested).toEqual([START]);
  });

  it(`refuses a chain of more than ${MAX_INPUT_URL_REDIRECTS} redirects`, async () => {
    const hop = (n: number) => `https://exports.example.com/hop/${n}`;
    const site: Site = { [START]: redirect(hop(1)) };
    for (let n = 1; n <= 10; n++) {
      site[hop(n)] = redirect(hop(n + 1));
    }
    const fetch = network(site);
    await expect(importFrom(fetch)).rejects.toMatchObject({
      code: "input_url_fetch_failed",
      message: expect.stringContaining(`more than ${MAX_INPUT_URL_REDIRECTS} times`),
    });
    expect(fetch.requested).toHaveLength(MAX_INPUT_URL_REDIRECTS + 1);
  });

  it("refuses a redirect without a Location", async () => {
    const fetch = network({ [START]: () => new Response(null, { status: 302 }) });
    await expect(importFrom(fetch)).rejects.toMatchObject({ code: "input_url_fetch_failed" });
  });
});
