/**
 * Renders the OpenAPI document as one HTML page with inline CSS: no scripts, fonts or assets from a
 * CDN, so the reference renders offline and from the Worker alone.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function asObject(value: unknown): JsonObject {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}

function schemaLabel(schema: unknown): string {
  const s = asObject(schema);
  if (typeof s.$ref === "string") {
    const name = s.$ref.split("/").pop() ?? s.$ref;
    return `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;
  }
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const options = (Array.isArray(s.anyOf) ? s.anyOf : (s.oneOf as Json[])).map(schemaLabel);
    return options.join(" | ");
  }
  if (s.type === "array") {
    return `${schemaLabel(s.items)}[]`;
  }
  if (Array.isArray(s.enum)) {
    return s.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(" | ");
  }
  if (s.const !== undefined) {
    return `<code>${escapeHtml(JSON.stringify(s.const))}</code>`;
  }
  const type = Array.isArray(s.type) ? s.type.join(" | ") : typeof s.type === "string" ? s.type : "object";
  return escapeHtml(type);
}

function renderProperties(schema: JsonObject): string {
  const properties = asObject(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const rows = Object.entries(properties).map(([name, prop]) => {
    const description =
      typeof asObject(prop).description === "string" ? String(asObject(prop).description) : "";
    return `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? " *" : ""}</td><td>${schemaLabel(prop)}</td><td>${escapeHtml(description)}</td></tr>`;
  });
  return rows.length > 0
    ? `<table><tr><th>field</th><th>type</th><th>description</th></tr>${rows.join("")}</table>`
    : "";
}

function renderOperation(path: string, method: string, op: JsonObject): string {
  const params = (Array.isArray(op.parameters) ? op.parameters : []).map(asObject);
  const paramRows = params.map(
    (p) =>
      `<tr><td><code>${escapeHtml(String(p.name))}</code>${p.required ? " *" : ""}</td><td>${escapeHtml(String(p.in))}</td><td>${schemaLabel(p.schema)}</td><td>${escapeHtml(String(asObject(p.schema).description ?? p.description ?? ""))}</td></tr>`,
  );
  const body = asObject(asObject(op.requestBody).content);
  const bodyRows = Object.entries(body).map(
    ([type, media]) =>
      `<p>Body (<code>${escapeHtml(type)}</code>): ${schemaLabel(asObject(media).schema)}</p>`,
  );
  const responses = Object.entries(asObject(op.responses)).map(([status, res]) => {
    const content = asObject(asObject(res).content);
    const schema = Object.values(content).map((media) => schemaLabel(asObject(media).schema));
    return `<li><b>${escapeHtml(status)}</b> ${escapeHtml(String(asObject(res).description ?? ""))} ${schema.join(" ")}</li>`;
  });
  const id = escapeHtml(String(op.operationId ?? `${method}-${path}`));
  return `<section class="op" id="op-${id}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(String(op.summary ?? ""))}</p>
${op.description ? `<p>${escapeHtml(String(op.description))}</p>` : ""}
${paramRows.length > 0 ? `<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>${paramRows.join("")}</table>` : ""}
${bodyRows.join("")}
<ul>${responses.join("")}</ul>
</section>`;
}

export function renderDocsPage(document: unknown): string {
  const doc = asObject(document);
  const info = asObject(doc.info);
  const paths = asObject(doc.paths);
  const operations: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = asObject(asObject(item)[method]);
      if (Object.keys(op).length === 0) {
        continue;
      }
      operations.push(renderOperation(path, method, op));
      toc.push(
        `<li><a href="#op-${escapeHtml(String(op.operationId ?? ""))}">${method.toUpperCase()} ${escapeHtml(path)}</a></li>`,
      );
    }
  }
  const schemas = Object.entries(asObject(asObject(doc.components).schemas)).map(
    ([name, schema]) =>
      `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${renderProperties(asObject(schema)) || `<p>${schemaLabel(schema)}</p>`}</section>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(String(info.title ?? "API reference"))}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.45}
code{font-family:ui-monospace,monospace;background:#f3f3f5;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.op{border-top:1px solid #ddd;padding-top:.5rem}.method{font-weight:700;padding:0 .4em;border-radius:3px;color:#fff}
.get{background:#2f7d32}.post{background:#1565c0}.delete{background:#c62828}.put,.patch{background:#8e5b00}
</style></head><body>
<h1>${escapeHtml(String(info.title ?? "API reference"))}</h1>
<p>${escapeHtml(String(info.description ?? ""))}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>.</p>
<h2>Operations</h2><ul>${toc.join("")}</ul>
${operations.join("\n")}
<h2>Schemas</h2>
${schemas.join("\n")}
</body></html>`;
}
