/** What the router hands a view: its element, a signal for leaving it, and a poller. */
export type ViewContext = {
  el: HTMLElement;
  signal: AbortSignal;
  /** Runs `fn` now and then every `ms` after it settles, until the view is left. */
  every(ms: number, fn: () => Promise<void> | void): void;
};
