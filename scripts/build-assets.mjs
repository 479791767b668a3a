#!/usr/bin/env node
// `npm run build`: the Worker's static assets in dist/assets (wrangler.toml [assets]): the dashboard
// (dashboard/, bundled by esbuild) at `/` and the API reference at `/docs` (Swagger UI copied from
// swagger-ui-dist, no CDN). Prints each file's size and the gzip size of what a first view loads.
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = path.join(import.meta.dirname, "..");
const SRC = path.join(ROOT, "dashboard");
const OUT = path.join(ROOT, "dist", "assets");
const SWAGGER = path.join(ROOT, "node_modules", "swagger-ui-dist");

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(path.join(OUT, "reference"), { recursive: true });

const common = { bundle: true, minify: true, target: "es2022", logLevel: "warning", legalComments: "none" };
await Promise.all([
  build({
    ...common,
    entryPoints: [path.join(SRC, "src", "main.ts")],
    format: "esm",
    outfile: path.join(OUT, "app.js"),
  }),
  build({ ...common, entryPoints: [path.join(SRC, "styles.css")], outfile: path.join(OUT, "app.css") }),
  build({
    ...common,
    entryPoints: [path.join(SRC, "docs.ts")],
    format: "iife",
    outfile: path.join(OUT, "reference", "docs.js"),
  }),
  build({
    ...common,
    entryPoints: [path.join(SRC, "docs.css")],
    outfile: path.join(OUT, "reference", "docs.css"),
  }),
]);
fs.copyFileSync(path.join(SRC, "index.html"), path.join(OUT, "index.html"));
// docs.html, not docs/index.html: assets serve it at /docs itself rather than redirecting to /docs/
fs.copyFileSync(path.join(SRC, "docs.html"), path.join(OUT, "docs.html"));
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  fs.copyFileSync(path.join(SWAGGER, file), path.join(OUT, "reference", file));
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const sizes = (files) =>
  files.map((f) => {
    const bytes = fs.readFileSync(path.join(OUT, f));
    return { f, raw: bytes.length, gz: gzipSync(bytes).length };
  });
const report = (title, files) => {
  const rows = sizes(files);
  const total = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gz: a.gz + r.gz }), { raw: 0, gz: 0 });
  console.log(`${title}: ${kib(total.raw)} (${kib(total.gz)} gzip)`);
  for (const r of rows) {
    console.log(`  ${r.f.padEnd(34)} ${kib(r.raw).padStart(11)} ${kib(r.gz).padStart(11)} gzip`);
  }
};
report("dashboard", ["index.html", "app.js", "app.css"]);
report("API reference", [
  "docs.html",
  "reference/docs.js",
  "reference/docs.css",
  "reference/swagger-ui-bundle.js",
  "reference/swagger-ui.css",
]);
