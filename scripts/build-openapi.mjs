#!/usr/bin/env node
// Writes the OpenAPI document without a server: bundles the Worker's app with esbuild for Node
// (the Durable Object classes' `cloudflare:*` imports stubbed; no route runs) and asks it for the
// document, as GET /openapi.json would. Used by `npm run lint:openapi`.
// Usage: node scripts/build-openapi.mjs [--lint] [out.json] (default dist/openapi.json); --lint then
// runs `redocly lint` on it with redocly.yaml (the recommended rules) and .redocly.lint-ignore.yaml.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const ROOT = path.join(import.meta.dirname, "..");
const args = process.argv.slice(2);
const lint = args.includes("--lint");
const out = path.resolve(args.find((a) => a !== "--lint") ?? path.join(ROOT, "dist", "openapi.json"));
const SERVER_URL = "http://127.0.0.1:8787";

const entry = `
import { createApp } from ${JSON.stringify(path.join(ROOT, "src/app/create-app.ts"))};
import { buildOpenApiDocument } from ${JSON.stringify(path.join(ROOT, "src/routes/docs/openapi-document.ts"))};
export const document = buildOpenApiDocument(createApp(), ${JSON.stringify(SERVER_URL)});
`;

/** `cloudflare:workers` etc. only give the Durable Object base classes, never used here. */
const stubCloudflare = {
  name: "stub-cloudflare",
  setup(b) {
    b.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "stub" }));
    b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      contents: "export class DurableObject {} export class WorkerEntrypoint {} export const env = {};",
      loader: "js",
    }));
  },
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "openapi-"));
try {
  const bundle = path.join(tmp, "document.mjs");
  await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: bundle,
    plugins: [stubCloudflare],
    logLevel: "warning",
  });
  const { document } = await import(pathToFileURL(bundle).href);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  console.log(
    `OpenAPI document: ${path.relative(process.cwd(), out)} (${Object.keys(document.paths).length} paths)`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (lint) {
  const redocly = path.join(ROOT, "node_modules", ".bin", "redocly");
  const result = spawnSync(redocly, ["lint", path.relative(ROOT, out), "--format=stylish"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  process.exit(result.status ?? 1);
}
