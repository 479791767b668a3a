import { api, errorText, session } from "../api";
import { fill, formatNumber, h, notice } from "../dom";
import type { ViewContext } from "../view-context";

type UsageResult = {
  model: string | null;
  num_model_requests: number;
  input_tokens: number;
  output_tokens?: number;
};
type UsagePage = {
  data: { start_time: number; results: UsageResult[] }[];
  has_more: boolean;
  next_page: string | null;
};
type Row = {
  day: string;
  kind: string;
  model: string;
  requests: number;
  input: number;
  output: number | null;
};

const DAYS = 14;
const day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

async function fetchUsage(kind: "completions" | "embeddings", start: number): Promise<Row[]> {
  const rows: Row[] = [];
  let page: string | null = null;
  do {
    const params = new URLSearchParams({
      start_time: String(start),
      bucket_width: "1d",
      group_by: "model",
      limit: String(DAYS + 1),
    });
    if (page) {
      params.set("page", page);
    }
    const res: UsagePage = await api<UsagePage>("GET", `/v1/organization/usage/${kind}?${params}`, {
      admin: true,
    });
    for (const bucket of res.data) {
      for (const r of bucket.results) {
        rows.push({
          day: day.format(new Date(bucket.start_time * 1000)),
          kind,
          model: r.model ?? "—",
          requests: r.num_model_requests,
          input: r.input_tokens,
          output: r.output_tokens ?? null,
        });
      }
    }
    page = res.has_more ? res.next_page : null;
  } while (page);
  return rows;
}

function usageTable(rows: Row[]): HTMLElement {
  if (rows.length === 0) {
    return notice("empty", `No model requests in the last ${DAYS} days.`);
  }
  const total = (pick: (r: Row) => number | null) =>
    formatNumber(rows.reduce((sum, r) => sum + (pick(r) ?? 0), 0));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "data" },
      h("caption", { class: "sr-only" }, "Tokens and requests per model per day (UTC)"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Day (UTC)", "Kind", "Model", "Requests", "Input tokens", "Output tokens"].map((t) =>
            h("th", { scope: "col" }, t),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        ...rows.map((r) =>
          h(
            "tr",
            {},
            h("td", { "data-label": "Day" }, r.day),
            h("td", { "data-label": "Kind" }, r.kind),
            h("td", { "data-label": "Model", class: "mono wrap" }, r.model),
            h("td", { "data-label": "Requests", class: "num" }, formatNumber(r.requests)),
            h("td", { "data-label": "Input tokens", class: "num" }, formatNumber(r.input)),
            h(
              "td",
              { "data-label": "Output tokens", class: "num" },
              r.output === null ? "—" : formatNumber(r.output),
            ),
          ),
        ),
      ),
      h(
        "tfoot",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "row", colspan: 3 }, "Total"),
          h(
            "td",
            { class: "num" },
            total((r) => r.requests),
          ),
          h(
            "td",
            { class: "num" },
            total((r) => r.input),
          ),
          h(
            "td",
            { class: "num" },
            total((r) => r.output),
          ),
        ),
      ),
    ),
  );
}

export async function usageView(ctx: ViewContext): Promise<void> {
  const content = h("div", {});
  const input = h("input", {
    id: "admin-key",
    type: "password",
    autocomplete: "off",
    required: true,
    placeholder: "sk-admin-…",
  });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "admin-title" },
    h("h2", { id: "admin-title" }, "Admin key"),
    h(
      "p",
      { class: "muted" },
      "Usage comes from the Admin API, which needs an admin key. It stays in this browser tab only.",
    ),
    h(
      "div",
      { class: "toolbar" },
      h("label", { for: "admin-key" }, "Admin key"),
      input,
      h("button", { type: "submit", class: "primary" }, "Show usage"),
    ),
  );
  const load = async () => {
    fill(content, notice("loading", "Loading usage…"));
    const start = Math.floor(Date.now() / 86_400_000 - (DAYS - 1)) * 86_400;
    try {
      const [completions, embeddings] = await Promise.all([
        fetchUsage("completions", start),
        fetchUsage("embeddings", start),
      ]);
      fill(content, usageTable([...completions, ...embeddings]));
    } catch (err) {
      fill(content, notice("error", "Could not load usage.", errorText(err)));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    session.setAdminKey(input.value.trim());
    void load();
  });
  const forget = h("button", { type: "button", class: "link" }, "Forget the admin key");
  forget.addEventListener("click", () => {
    session.setAdminKey(null);
    void usageView(ctx);
  });
  fill(
    ctx.el,
    h("div", { class: "page-head" }, h("h1", {}, "Usage"), session.adminKey() ? forget : null),
    session.adminKey() ? null : form,
    content,
  );
  if (session.adminKey()) {
    await load();
  } else {
    fill(content, notice("empty", "Enter an admin key to see tokens and requests per model per day."));
  }
}
