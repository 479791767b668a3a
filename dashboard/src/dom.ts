/** A tiny DOM builder and the formatters every view shares. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (typeof value === "function") {
      el.addEventListener(name.replace(/^on/, ""), value);
    } else if (name === "class") {
      el.className = String(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's content; its own box stays, so the page around it does not move. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

export function setText(el: Element | null | undefined, text: string): void {
  if (el && el.textContent !== text) {
    el.textContent = text;
  }
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatTime(seconds: number | null | undefined): string {
  return seconds ? dateTime.format(new Date(seconds * 1000)) : "—";
}

export function formatDuration(seconds: number): string {
  if (seconds <= 0) {
    return "0s";
  }
  const d = Math.floor(seconds / 86400);
  const hr = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  if (d > 0) {
    return `${d}d ${hr}h`;
  }
  if (hr > 0) {
    return `${hr}h ${m}m`;
  }
  return m > 0 ? `${m}m ${s}s` : `${s}s`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export const formatNumber = (n: number): string => n.toLocaleString();

/** A readable empty state or error in place of a table. */
export function notice(kind: "empty" | "error" | "loading", text: string, detail?: string): HTMLElement {
  return h(
    "div",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("p", {}, text),
    detail ? h("p", { class: "muted" }, detail) : null,
  );
}

export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge badge-${status}` }, status.replace("_", " "));
}

/** A progress bar of completed (and failed) out of total, with an accessible label. */
export function progressBar(completed: number, failed: number, total: number): HTMLElement {
  const bar = h(
    "div",
    { class: "progress", role: "progressbar", "aria-valuemin": 0 },
    h("span", { class: "progress-ok" }),
    h("span", { class: "progress-failed" }),
  );
  updateProgress(bar, completed, failed, total);
  return bar;
}

export function updateProgress(bar: Element, completed: number, failed: number, total: number): void {
  const pct = (n: number) => (total > 0 ? `${(100 * n) / total}%` : "0%");
  (bar.children[0] as HTMLElement).style.width = pct(completed);
  (bar.children[1] as HTMLElement).style.width = pct(failed);
  bar.setAttribute("aria-valuemax", String(total));
  bar.setAttribute("aria-valuenow", String(completed + failed));
  bar.setAttribute("aria-label", `${completed} completed, ${failed} failed of ${total}`);
}
