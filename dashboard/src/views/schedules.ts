import { api, errorText, type List } from "../api";
import { fill, formatTime, h, notice, statusBadge } from "../dom";
import type { Schedule } from "../types";
import type { ViewContext } from "../view-context";

export async function schedulesView(ctx: ViewContext): Promise<void> {
  const state = h("div", { class: "table-state" });
  const body = h("tbody");

  const row = (s: Schedule): HTMLTableRowElement => {
    const paused = s.status === "paused";
    const toggle = h("button", { type: "button", class: "secondary" }, paused ? "Resume" : "Pause");
    toggle.setAttribute("aria-label", `${paused ? "Resume" : "Pause"} schedule ${s.id}`);
    const tr = h(
      "tr",
      {},
      h("td", { "data-label": "Schedule", class: "mono" }, s.id),
      h("td", { "data-label": "Status" }, statusBadge(s.status)),
      h("td", { "data-label": "Cron", class: "mono" }, `${s.cron} (${s.timezone})`),
      h("td", { "data-label": "Input", class: "mono wrap" }, s.input_file_id ?? s.input_url ?? "—"),
      h("td", { "data-label": "Next run" }, formatTime(s.next_run_at)),
      h(
        "td",
        { "data-label": "Last run" },
        formatTime(s.last_run_at),
        s.last_batch_id
          ? h(
              "div",
              {},
              h("a", { href: `#/batches/${s.last_batch_id}`, class: "mono small" }, s.last_batch_id),
            )
          : null,
        s.last_error ? h("div", { class: "danger-text small" }, s.last_error.message) : null,
      ),
      h("td", {}, toggle),
    );
    toggle.addEventListener("click", async () => {
      toggle.disabled = true;
      try {
        const updated = await api<Schedule>("POST", `/v1/batch_schedules/${s.id}`, {
          json: { status: paused ? "active" : "paused" },
        });
        const next = row(updated);
        tr.replaceWith(next);
        next.querySelector("button")?.focus();
      } catch (err) {
        fill(state, notice("error", "Could not change the schedule.", errorText(err)));
        toggle.disabled = false;
      }
    });
    return tr;
  };

  fill(
    ctx.el,
    h("div", { class: "page-head" }, h("h1", {}, "Schedules")),
    h(
      "p",
      { class: "muted" },
      "Recurring batches from a cron expression. Create them with POST /v1/batch_schedules.",
    ),
    state,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data" },
        h("caption", { class: "sr-only" }, "Batch schedules"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...["Schedule", "Status", "Cron", "Input", "Next run", "Last run", ""].map((t) =>
              h("th", { scope: "col" }, t),
            ),
          ),
        ),
        body,
      ),
    ),
  );
  try {
    const page = await api<List<Schedule>>("GET", "/v1/batch_schedules?limit=100");
    body.append(...page.data.map(row));
    fill(
      state,
      page.data.length === 0
        ? notice("empty", "No schedules.", "A schedule creates a batch at each cron time.")
        : null,
    );
  } catch (err) {
    fill(state, notice("error", "Could not load schedules.", errorText(err)));
  }
}
