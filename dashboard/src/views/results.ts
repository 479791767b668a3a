import { api, errorText, type List } from "../api";
import { fill, h, notice, statusBadge } from "../dom";
import type { BatchResult } from "../types";

const PAGE = 50;
const STATUSES = ["", "pending", "completed", "failed", "expired", "cancelled"];

function json(value: unknown): HTMLElement {
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

/** One line's request and response (or error) in a modal dialog: Esc or the button closes it. */
function showDetail(result: BatchResult): void {
  const close = h("button", { type: "button", class: "secondary" }, "Close");
  const dialog = h(
    "dialog",
    { class: "detail", "aria-labelledby": "detail-title" },
    h(
      "div",
      { class: "page-head" },
      h(
        "h2",
        { id: "detail-title" },
        `Line ${result.line}: `,
        h("span", { class: "mono" }, result.custom_id),
      ),
      close,
    ),
    h("p", {}, statusBadge(result.status), result.attempts ? ` · ${result.attempts} attempts` : ""),
    h("h3", {}, "Request"),
    result.request ? json(result.request) : h("p", { class: "muted" }, "The input file's bytes are gone."),
    h("h3", {}, result.error ? "Error" : "Response"),
    result.response
      ? json(result.response)
      : result.error
        ? json(result.error)
        : h("p", { class: "muted" }, "Not finished yet."),
  );
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}

/** The batch's lines from GET /v1/batches/{id}/results, searchable by custom_id prefix and status. */
export function resultsSection(batchId: string): { el: HTMLElement; refresh: () => Promise<void> } {
  const search = h("input", {
    id: "result-search",
    type: "search",
    placeholder: "custom_id starts with…",
    autocomplete: "off",
  });
  const status = h(
    "select",
    { id: "result-status" },
    ...STATUSES.map((s) => h("option", { value: s }, s || "any status")),
  );
  const form = h(
    "form",
    { class: "toolbar", role: "search" },
    h("label", { for: "result-search", class: "sr-only" }, "Search by custom_id"),
    search,
    h("label", { for: "result-status", class: "sr-only" }, "Status"),
    status,
    h("button", { type: "submit", class: "secondary" }, "Search"),
  );
  const state = h("div", { class: "table-state" });
  const body = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  const table = h(
    "table",
    { class: "data results-table" },
    h("caption", { class: "sr-only" }, "Results"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Line", "custom_id", "Status", "Attempts", ""].map((t) => h("th", { scope: "col" }, t)),
      ),
    ),
    body,
  );
  let lastId: string | null = null;
  let shown = "";

  const query = (after?: string) => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (search.value.trim()) {
      params.set("custom_id_prefix", search.value.trim());
    }
    if (status.value) {
      params.set("status", status.value);
    }
    if (after) {
      params.set("after", after);
    }
    return `/v1/batches/${encodeURIComponent(batchId)}/results?${params}`;
  };

  const rowOf = (r: BatchResult) => {
    const view = h("button", { type: "button", class: "link" }, "View");
    view.setAttribute("aria-label", `View line ${r.line} (${r.custom_id})`);
    view.addEventListener("click", () => showDetail(r));
    return h(
      "tr",
      {},
      h("td", { "data-label": "Line" }, String(r.line)),
      h("td", { "data-label": "custom_id", class: "mono" }, r.custom_id),
      h("td", { "data-label": "Status" }, statusBadge(r.status)),
      h("td", { "data-label": "Attempts" }, r.attempts === null ? "—" : String(r.attempts)),
      h("td", {}, view),
    );
  };

  const load = async (append: boolean) => {
    try {
      const page = await api<List<BatchResult>>("GET", query(append && lastId ? lastId : undefined));
      const key = JSON.stringify(page.data.map((r) => [r.id, r.status]));
      if (!append && key === shown) {
        return; // unchanged: keep focus and scroll where they are
      }
      if (!append) {
        shown = key;
        body.replaceChildren();
      }
      body.append(...page.data.map(rowOf));
      lastId = page.data[page.data.length - 1]?.id ?? lastId;
      more.hidden = !page.has_more;
      fill(
        state,
        body.children.length === 0
          ? notice("empty", search.value || status.value ? "No line matches." : "No results yet.")
          : null,
      );
    } catch (err) {
      fill(state, notice("error", "Could not load results.", errorText(err)));
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    shown = "";
    void load(false);
  });
  more.addEventListener("click", () => void load(true));
  const el = h(
    "section",
    { class: "card", "aria-labelledby": "results-title" },
    h("h2", { id: "results-title" }, "Results"),
    form,
    state,
    h("div", { class: "table-wrap" }, table),
    more,
  );
  return { el, refresh: () => (more.hidden ? load(false) : Promise.resolve()) };
}
