import { api, downloadFile, errorText, type List } from "../api";
import { fill, formatTime, h, notice, progressBar, setText, statusBadge, updateProgress } from "../dom";
import { type Batch, LIVE_STATUSES, type WebhookDelivery } from "../types";
import type { ViewContext } from "../view-context";
import { countsText, timeLeft } from "./batches";
import { resultsSection } from "./results";
import { drawThroughput, recordSample, throughputChart } from "./throughput";

const POLL_MS = 1500;
const TIMELINE: [keyof Batch, string][] = [
  ["created_at", "Created"],
  ["in_progress_at", "In progress"],
  ["cancelling_at", "Cancelling"],
  ["finalizing_at", "Finalizing"],
  ["completed_at", "Completed"],
  ["failed_at", "Failed"],
  ["expired_at", "Expired"],
  ["cancelled_at", "Cancelled"],
];

function timeline(batch: Batch): HTMLElement {
  const events = TIMELINE.filter(([field]) => batch[field])
    .map(([field, label]) => [label, batch[field] as number] as const)
    .sort((a, b) => a[1] - b[1]);
  const items = events.map(([label, at]) =>
    h("li", {}, h("span", { class: "dot" }), h("strong", {}, label), h("time", {}, formatTime(at))),
  );
  if (LIVE_STATUSES.includes(batch.status) && batch.expires_at) {
    items.push(
      h(
        "li",
        { class: "future" },
        h("span", { class: "dot" }),
        h("strong", {}, "Expires"),
        h("time", {}, formatTime(batch.expires_at)),
      ),
    );
  }
  return h("ol", { class: "timeline" }, ...items);
}

function deliveriesTable(deliveries: WebhookDelivery[]): HTMLElement {
  if (deliveries.length === 0) {
    return notice(
      "empty",
      "No webhook deliveries.",
      "Events are sent when the batch ends, to its webhook_url and the project's endpoints.",
    );
  }
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "data" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Event", "URL", "Status", "Attempts", "Last answer", "Created"].map((t) =>
            h("th", { scope: "col" }, t),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        ...deliveries.map((d) =>
          h(
            "tr",
            {},
            h("td", { "data-label": "Event" }, d.event_type),
            h("td", { "data-label": "URL", class: "mono wrap" }, d.url),
            h("td", { "data-label": "Status" }, statusBadge(d.status)),
            h("td", { "data-label": "Attempts" }, String(d.attempts)),
            h(
              "td",
              { "data-label": "Last answer" },
              d.last_status_code ? String(d.last_status_code) : (d.last_error ?? "—"),
            ),
            h("td", { "data-label": "Created" }, formatTime(d.created_at)),
          ),
        ),
      ),
    ),
  );
}

/** "about 4 min · 50 % of the pool": the server's estimate, while the batch runs. */
function etaText(batch: Batch): string {
  const eta = batch.eta;
  if (!eta) {
    return "—";
  }
  const time =
    eta.seconds < 90 ? `${Math.max(1, Math.round(eta.seconds))} s` : `${Math.round(eta.seconds / 60)} min`;
  return `about ${time} · ${Math.round(eta.share * 100)} % of the pool`;
}

/** Which Workers AI path ran the finished lines: "async 12 · sync 4 · 1 request queued". */
function executionText(batch: Batch): string {
  const run = batch.execution;
  if (!run) {
    return "—";
  }
  const pending = run.async_requests_pending;
  const queued = pending > 0 ? ` · ${pending} request${pending === 1 ? "" : "s"} queued` : "";
  return `async ${run.async} · sync ${run.sync}${queued}`;
}

export async function batchDetailView(ctx: ViewContext, [batchId = ""]: string[]): Promise<void> {
  const message = h("div", { class: "table-state", role: "status" });
  const badge = h("span", {});
  const actions = h("div", { class: "actions" });
  const bar = progressBar(0, 0, 0);
  const facts = h("dl", { class: "facts" });
  const timelineBox = h("div", {});
  const chart = throughputChart();
  const results = resultsSection(batchId);
  const deliveries = h("div", {}, notice("loading", "Loading deliveries…"));
  const errors = h("div", {});
  fill(
    ctx.el,
    h("p", { class: "crumbs" }, h("a", { href: "#/batches" }, "← Batches")),
    h("div", { class: "page-head" }, h("h1", { class: "mono" }, batchId), badge),
    actions,
    message,
    h(
      "div",
      { class: "grid" },
      h(
        "section",
        { class: "card", "aria-labelledby": "progress-title" },
        h("h2", { id: "progress-title" }, "Progress"),
        bar,
        h("p", { class: "counts mono" }),
        facts,
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "timeline-title" },
        h("h2", { id: "timeline-title" }, "Timeline"),
        timelineBox,
      ),
    ),
    errors,
    h(
      "section",
      { class: "card", "aria-labelledby": "chart-title" },
      h("h2", { id: "chart-title" }, "Throughput"),
      chart,
    ),
    results.el,
    h(
      "section",
      { class: "card", "aria-labelledby": "deliveries-title" },
      h("h2", { id: "deliveries-title" }, "Webhook deliveries"),
      deliveries,
    ),
  );

  let shownStatus = "";
  const act = async (label: string, run: () => Promise<void>) => {
    fill(message, notice("loading", `${label}…`));
    try {
      await run();
    } catch (err) {
      fill(message, notice("error", `${label} failed.`, errorText(err)));
    }
  };

  const renderActions = (batch: Batch) => {
    const buttons: HTMLElement[] = [];
    const add = (label: string, cls: string, onClick: () => Promise<void>) => {
      const button = h("button", { type: "button", class: cls }, label);
      button.addEventListener("click", () => act(label, onClick));
      buttons.push(button);
    };
    if (batch.output_file_id) {
      const id = batch.output_file_id;
      add("Download output", "primary", async () => {
        await downloadFile(id, `${batch.id}_output.jsonl`);
        fill(message);
      });
    }
    if (batch.error_file_id) {
      const id = batch.error_file_id;
      add("Download errors", "secondary", async () => {
        await downloadFile(id, `${batch.id}_errors.jsonl`);
        fill(message);
      });
    }
    if (batch.status === "validating" || batch.status === "in_progress") {
      add("Cancel batch", "danger", async () => {
        if (confirm(`Cancel ${batch.id}? Lines already running finish; the rest are cancelled.`)) {
          await api("POST", `/v1/batches/${batch.id}/cancel`);
          fill(message, notice("empty", "Cancelling: finished lines stay in the output."));
        } else {
          fill(message);
        }
      });
    }
    const ended = ["completed", "expired", "cancelled"].includes(batch.status);
    if (ended && (batch.request_counts.failed > 0 || batch.status !== "completed")) {
      add("Retry failed lines", "secondary", async () => {
        const retry = await api<Batch>("POST", `/v1/batches/${batch.id}/retry`);
        location.hash = `#/batches/${retry.id}`;
      });
    }
    fill(actions, ...buttons);
  };

  const showBatch = (batch: Batch) => {
    const { completed, failed, total } = batch.request_counts;
    recordSample(batch.id, completed + failed);
    drawThroughput(chart, batch.id);
    updateProgress(bar, completed, failed, total);
    setText(ctx.el.querySelector(".card .counts"), `${countsText(batch)} total`);
    fill(
      facts,
      ...[
        ["Model", batch.model ?? "—"],
        ["Endpoint", batch.endpoint],
        ["Window", batch.completion_window],
        ["Time left", timeLeft(batch)],
        ["Finishes in", etaText(batch)],
        ["Ran on", executionText(batch)],
        ["Input file", batch.input_file_id],
      ].flatMap(([k, v]) => [h("dt", {}, k), h("dd", { class: "mono" }, v)]),
    );
    fill(timelineBox, timeline(batch));
    if (batch.status !== shownStatus) {
      shownStatus = batch.status;
      fill(badge, statusBadge(batch.status));
      renderActions(batch);
      const list = batch.errors?.data ?? [];
      fill(
        errors,
        list.length
          ? h(
              "section",
              { class: "card", role: "alert" },
              h("h2", {}, "Validation errors"),
              h(
                "ul",
                {},
                ...list.slice(0, 50).map((e) => h("li", {}, e.line ? `Line ${e.line}: ` : "", e.message)),
              ),
            )
          : null,
      );
    }
  };

  let live = true;
  let tick = 0;
  ctx.every(POLL_MS, async () => {
    if (!live) {
      return;
    }
    try {
      const batch = await api<Batch>("GET", `/v1/batches/${encodeURIComponent(batchId)}`);
      showBatch(batch);
      live = LIVE_STATUSES.includes(batch.status);
      if (tick++ % 2 === 0 || !live) {
        await results.refresh();
      }
      if (tick === 1 || !live) {
        const page = await api<List<WebhookDelivery>>(
          "GET",
          `/v1/batches/${encodeURIComponent(batchId)}/webhook_deliveries`,
        ).catch((err) => err as Error);
        fill(
          deliveries,
          page instanceof Error
            ? notice("error", "Could not load deliveries.", errorText(page))
            : deliveriesTable(page.data),
        );
      }
    } catch (err) {
      fill(message, notice("error", "Could not load this batch.", errorText(err)));
      live = false;
    }
  });
}
