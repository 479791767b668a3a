import { api, errorText, type List } from "../api";
import { fill, formatTime, h, notice } from "../dom";
import type { WebhookEndpoint } from "../types";
import type { ViewContext } from "../view-context";

const EVENTS = ["batch.completed", "batch.failed", "batch.expired", "batch.cancelled"];

export async function webhooksView(ctx: ViewContext): Promise<void> {
  const state = h("div", { class: "table-state" });
  const body = h("tbody");
  const showEmpty = () =>
    fill(
      state,
      body.children.length === 0
        ? notice(
            "empty",
            "No webhook endpoints.",
            "Add one to receive batch.* events, signed per Standard Webhooks.",
          )
        : null,
    );

  const row = (w: WebhookEndpoint) => {
    const remove = h("button", { type: "button", class: "link danger-text" }, "Delete");
    remove.setAttribute("aria-label", `Delete endpoint ${w.url}`);
    const tr = h(
      "tr",
      {},
      h("td", { "data-label": "Endpoint", class: "mono" }, w.id),
      h("td", { "data-label": "URL", class: "mono wrap" }, w.url),
      h("td", { "data-label": "Events" }, w.event_types.join(", ")),
      h("td", { "data-label": "Created" }, formatTime(w.created_at)),
      h("td", {}, remove),
    );
    remove.addEventListener("click", async () => {
      if (!confirm(`Delete the endpoint ${w.url}?`)) {
        return;
      }
      try {
        await api("DELETE", `/v1/webhook_endpoints/${w.id}`);
        tr.remove();
        showEmpty();
      } catch (err) {
        fill(state, notice("error", "Delete failed.", errorText(err)));
      }
    });
    return tr;
  };

  const url = h("input", {
    id: "webhook-url",
    type: "url",
    required: true,
    placeholder: "https://example.com/hooks",
  });
  const boxes = EVENTS.map((e) => h("input", { type: "checkbox", value: e, checked: true, id: `ev-${e}` }));
  const error = h("p", { class: "form-error", role: "alert" });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "add-webhook" },
    h("h2", { id: "add-webhook" }, "Add an endpoint"),
    h(
      "div",
      { class: "toolbar" },
      h("label", { for: "webhook-url" }, "URL"),
      url,
      h("button", { type: "submit", class: "primary" }, "Add"),
    ),
    h(
      "fieldset",
      { class: "events" },
      h("legend", {}, "Events"),
      ...boxes.map((b) => h("label", { for: b.id }, b, b.value)),
    ),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      const created = await api<WebhookEndpoint>("POST", "/v1/webhook_endpoints", {
        json: { url: url.value, event_types: boxes.filter((b) => b.checked).map((b) => b.value) },
      });
      body.prepend(row(created));
      form.reset();
      showEmpty();
    } catch (err) {
      error.textContent = errorText(err);
    }
  });

  fill(
    ctx.el,
    h("div", { class: "page-head" }, h("h1", {}, "Webhook endpoints")),
    form,
    state,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data" },
        h("caption", { class: "sr-only" }, "Webhook endpoints"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...["Endpoint", "URL", "Events", "Created", ""].map((t) => h("th", { scope: "col" }, t)),
          ),
        ),
        body,
      ),
    ),
  );
  try {
    const page = await api<List<WebhookEndpoint>>("GET", "/v1/webhook_endpoints?limit=100");
    body.append(...page.data.map(row));
    showEmpty();
  } catch (err) {
    fill(state, notice("error", "Could not load webhook endpoints.", errorText(err)));
  }
}
