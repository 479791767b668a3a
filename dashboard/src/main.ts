import { api, errorText, session } from "./api";
import { h, notice } from "./dom";
import type { ViewContext } from "./view-context";
import { batchDetailView } from "./views/batch-detail";
import { batchesView } from "./views/batches";
import { filesView } from "./views/files";
import { schedulesView } from "./views/schedules";
import { usageView } from "./views/usage";
import { webhooksView } from "./views/webhooks";

/** What a view gets: its container, a poller that stops when the user leaves, and the abort signal. */
type View = (ctx: ViewContext, params: string[]) => void | Promise<void>;

const ROUTES: [RegExp, View, string][] = [
  [/^#\/batches\/([^/]+)$/, batchDetailView, "batches"],
  [/^#\/batches$/, batchesView, "batches"],
  [/^#\/files$/, filesView, "files"],
  [/^#\/schedules$/, schedulesView, "schedules"],
  [/^#\/webhooks$/, webhooksView, "webhooks"],
  [/^#\/usage$/, usageView, "usage"],
];
const NAV = [
  ["batches", "Batches"],
  ["files", "Files"],
  ["schedules", "Schedules"],
  ["webhooks", "Webhooks"],
  ["usage", "Usage"],
];

const root = document.getElementById("app") as HTMLElement;
let current: AbortController | null = null;

function every(signal: AbortSignal) {
  return (ms: number, fn: () => Promise<void> | void) => {
    const tick = async () => {
      if (signal.aborted) {
        return;
      }
      try {
        await fn();
      } finally {
        if (!signal.aborted) {
          setTimeout(tick, ms);
        }
      }
    };
    void tick();
  };
}

function signInView(message?: string): HTMLElement {
  const input = h("input", {
    id: "api-key",
    type: "password",
    autocomplete: "off",
    required: true,
    placeholder: "sk-…",
  });
  const error = h("p", { class: "form-error", role: "alert" }, message ?? "");
  const form = h(
    "form",
    { class: "card sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Batch API"),
    h("p", { class: "muted" }, "Sign in with a project API key. It stays in this browser tab only."),
    h("label", { for: "api-key" }, "API key"),
    input,
    error,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
    h("p", { class: "muted small" }, h("a", { href: "/docs" }, "API reference")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await api("GET", "/v1/batches?limit=1", { key: input.value.trim() });
      session.signIn(input.value.trim());
      location.hash = location.hash.startsWith("#/") ? location.hash : "#/batches";
      render();
    } catch (err) {
      error.textContent = errorText(err);
      input.focus();
    }
  });
  queueMicrotask(() => input.focus());
  return h("main", { class: "centered" }, form);
}

function shell(active: string): { layout: HTMLElement; main: HTMLElement } {
  const main = h("main", { id: "main", tabindex: -1 });
  const nav = h(
    "nav",
    { "aria-label": "Sections" },
    ...NAV.map(([key, label]) =>
      h("a", { href: `#/${key}`, "aria-current": key === active ? "page" : null }, label),
    ),
  );
  const signOut = h("button", { type: "button", class: "link" }, "Sign out");
  signOut.addEventListener("click", () => {
    session.signOut();
    render();
  });
  const header = h(
    "header",
    { class: "topbar" },
    h("a", { class: "skip", href: "#main" }, "Skip to content"),
    h("a", { class: "brand", href: "#/batches" }, "Batch API"),
    nav,
    h("div", { class: "topbar-end" }, h("a", { href: "/docs" }, "API reference"), signOut),
  );
  return { layout: h("div", { class: "layout" }, header, main), main };
}

function render(message?: string): void {
  current?.abort();
  current = new AbortController();
  if (!session.key()) {
    root.replaceChildren(signInView(message));
    return;
  }
  if (!ROUTES.some(([re]) => re.test(location.hash))) {
    history.replaceState(null, "", "#/batches");
  }
  const route = ROUTES.find(([re]) => re.test(location.hash)) ?? ROUTES[1];
  if (!route) {
    return;
  }
  const [pattern, view, active] = route;
  const params = (location.hash.match(pattern) ?? []).slice(1).map(decodeURIComponent);
  const { layout, main } = shell(active);
  root.replaceChildren(layout);
  const signal = current.signal;
  Promise.resolve(view({ el: main, signal, every: every(signal) }, params)).catch((err) => {
    main.replaceChildren(notice("error", "This view could not load.", errorText(err)));
  });
}

window.addEventListener("hashchange", () => render());
window.addEventListener("signed-out", (event) => {
  session.signOut();
  render(`Signed out: ${(event as CustomEvent<string>).detail}`);
});
render();
