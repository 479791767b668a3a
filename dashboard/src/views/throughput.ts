import { h } from "../dom";

/**
 * Lines per minute over time, computed here from polled request counts (the API keeps no history).
 * Samples live per batch for the tab's lifetime, so leaving and reopening a batch keeps its chart.
 */
type Sample = { t: number; done: number };
const samples = new Map<string, Sample[]>();
const WIDTH = 600;
const HEIGHT = 140;
const WINDOW_MS = 10_000;

export function recordSample(batchId: string, done: number, t = Date.now()): void {
  const list = samples.get(batchId) ?? [];
  const last = list[list.length - 1];
  if (!last || t - last.t >= 500) {
    list.push({ t, done });
  }
  samples.set(batchId, list.slice(-600));
}

/** Rate points: lines per minute over the trailing 10 s at each sample. */
export function ratePoints(list: Sample[]): { t: number; perMinute: number }[] {
  const points: { t: number; perMinute: number }[] = [];
  let start = 0;
  for (let i = 1; i < list.length; i++) {
    const current = list[i] as Sample;
    while (start < i - 1 && current.t - (list[start] as Sample).t > WINDOW_MS) {
      start++;
    }
    const from = list[start] as Sample;
    const minutes = (current.t - from.t) / 60_000;
    points.push({
      t: current.t,
      perMinute: minutes > 0 ? Math.max(0, current.done - from.done) / minutes : 0,
    });
  }
  return points;
}

const SVG = "http://www.w3.org/2000/svg";

function svgEl(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    el.setAttribute(k, String(v));
  }
  return el;
}

/** A fixed-size chart box; `drawThroughput` redraws inside it. */
export function throughputChart(): HTMLElement {
  const svg = svgEl("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    preserveAspectRatio: "none",
    class: "chart-svg",
    "aria-hidden": "true",
  });
  return h(
    "figure",
    { class: "chart" },
    svg as unknown as Node,
    h("figcaption", { class: "muted small chart-caption" }, "Collecting samples…"),
  );
}

export function drawThroughput(figure: HTMLElement, batchId: string): void {
  const svg = figure.querySelector("svg");
  const caption = figure.querySelector("figcaption");
  if (!svg || !caption) {
    return;
  }
  const points = ratePoints(samples.get(batchId) ?? []);
  svg.replaceChildren();
  if (points.length < 2) {
    caption.textContent = "Lines per minute: collecting samples while the batch runs…";
    return;
  }
  const t0 = (points[0] as { t: number }).t;
  const t1 = (points[points.length - 1] as { t: number }).t;
  const max = Math.max(1, ...points.map((p) => p.perMinute));
  const x = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * WIDTH;
  const y = (v: number) => HEIGHT - 4 - (v / max) * (HEIGHT - 12);
  const line = points.map((p) => `${x(p.t).toFixed(1)},${y(p.perMinute).toFixed(1)}`).join(" ");
  svg.append(
    svgEl("polygon", { points: `0,${HEIGHT} ${line} ${WIDTH},${HEIGHT}`, class: "chart-area" }),
    svgEl("polyline", { points: line, class: "chart-line", fill: "none" }),
  );
  const latest = (points[points.length - 1] as { perMinute: number }).perMinute;
  caption.textContent = `Lines per minute: now ${Math.round(latest)}, peak ${Math.round(max)} (over ${Math.round((t1 - t0) / 1000)} s)`;
}
