import { api, errorText, type List } from "../api";
import {
  fill,
  formatDuration,
  formatTime,
  h,
  notice,
  progressBar,
  setText,
  statusBadge,
  updateProgress,
} from "../dom";
import { type Batch, LIVE_STATUSES } from "../types";
import type { ViewContext } from "../view-context";
import { recordSample } from "./throughput";

const PAGE = 20;
const POLL_MS = 2000;
const IDLE_POLL_MS = 10_000;

export function timeLeft(batch: Batch, now = Date.now() / 1000): string {
  if (!LIVE_STATUSES.includes(batch.status) || !batch.expires_at) {
    return "—";
  }
  return formatDuration(batch.expires_at - now);
}

export function countsText(batch: Batch): string {
  const { completed, failed, total } = batch.request_counts;
  return `${completed} ✓ · ${failed} ✗ · ${total}`;
}

function cell(label: string, ...children: (Node | string)[]): HTMLTableCellElement {
  return h("td", { "data-label": label }, ...children);
}

/** One row, built once per batch and updated in place, so live updates never move the page. */
function batchRow(batch: Batch): HTMLTableRowElement {
  const { completed, failed, total } = batch.request_counts;
  const row = h(
    "tr",
    { "data-id": batch.id },
    cell("Batch", h("a", { href: `#/batches/${batch.id}`, class: "mono" }, batch.id)),
    cell("Status", statusBadge(batch.status)),
    cell(
      "Progress",
      h(
        "div",
        { class: "progress-cell" },
        progressBar(completed, failed, total),
        h("span", { class: "counts mono" }),
      ),
    ),
    cell("Model", batch.model ?? batch.endpoint),
    cell("Created", formatTime(batch.created_at)),
    cell("Window", batch.completion_window),
    cell("Time left", h("span", { class: "time-left" })),
  );
  updateRow(row, batch);
  return row;
}

function updateRow(row: HTMLTableRowElement, batch: Batch): void {
  const { completed, failed, total } = batch.request_counts;
  const badge = row.querySelector(".badge");
  if (badge && badge.textContent !== batch.status.replace("_", " ")) {
    badge.replaceWith(statusBadge(batch.status));
  }
  const bar = row.querySelector(".progress");
  if (bar) {
    updateProgress(bar, completed, failed, total);
  }
  setText(row.querySelector(".counts"), countsText(batch));
  setText(row.querySelector(".time-left"), timeLeft(batch));
}

export async function batchesView(ctx: ViewContext): Promise<void> {
  const status = h("div", { class: "table-state" });
  const body = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  const table = h(
    "table",
    { class: "data batches-table" },
    h("caption", { class: "sr-only" }, "Batches, newest first"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Batch", "Status", "Progress", "Model", "Created", "Window", "Time left"].map((t) =>
          h("th", { scope: "col" }, t),
        ),
      ),
    ),
    body,
  );
  fill(
    ctx.el,
    h("div", { class: "page-head" }, h("h1", {}, "Batches"), h("span", { class: "live muted" })),
    status,
    h("div", { class: "table-wrap" }, table),
    more,
  );
  const rows = new Map<string, HTMLTableRowElement>();
  let loaded = PAGE;

  const show = (page: List<Batch>) => {
    for (const batch of page.data) {
      if (LIVE_STATUSES.includes(batch.status)) {
        recordSample(batch.id, batch.request_counts.completed + batch.request_counts.failed);
      }
      const row = rows.get(batch.id);
      if (row) {
        updateRow(row, batch);
      } else {
        const created = batchRow(batch);
        rows.set(batch.id, created);
        // new batches go on top, older pages below
        const first = body.firstElementChild;
        if (first && batch.created_at >= Number(first.getAttribute("data-created") ?? 0)) {
          body.insertBefore(created, first);
        } else {
          body.append(created);
        }
        created.setAttribute("data-created", String(batch.created_at));
      }
    }
    fill(
      status,
      rows.size === 0
        ? notice("empty", "No batches yet.", "Create one with the API: POST /v1/batches.")
        : null,
    );
  };

  more.addEventListener("click", async () => {
    const last = body.lastElementChild?.getAttribute("data-id");
    const page = await api<List<Batch>>("GET", `/v1/batches?limit=${PAGE}&after=${last}`);
    loaded += page.data.length;
    show(page);
    more.hidden = !page.has_more;
  });

  let live = true;
  let fetchedAt = 0;
  ctx.every(POLL_MS, async () => {
    // every 2 s while a batch runs, else every 10 s (new batches still appear)
    if (!live && Date.now() - fetchedAt < IDLE_POLL_MS) {
      return;
    }
    fetchedAt = Date.now();
    try {
      const page = await api<List<Batch>>("GET", `/v1/batches?limit=${Math.min(loaded, 100)}`);
      show(page);
      if (rows.size <= PAGE) {
        more.hidden = !page.has_more;
      }
      live = page.data.some((b) => LIVE_STATUSES.includes(b.status));
      setText(ctx.el.querySelector(".live"), live ? "Live: updating every 2 s" : "");
    } catch (err) {
      fill(status, notice("error", "Could not load batches.", errorText(err)));
    }
  });
}
