/**
 * `completion_window`: OpenAI accepts only `24h`. As a documented extension any window from one
 * minute to seven days, written `<n>m`, `<n>h` or `<n>d`, is accepted too.
 */
const UNIT_SECONDS = { m: 60, h: 3600, d: 86400 } as const;
const MIN_WINDOW_SECONDS = 60;
const MAX_WINDOW_SECONDS = 7 * 86400;

export function parseCompletionWindow(value: string): number | null {
  const match = /^([1-9][0-9]{0,5})([mhd])$/.exec(value);
  if (!match?.[1] || !match[2]) {
    return null;
  }
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  return seconds >= MIN_WINDOW_SECONDS && seconds <= MAX_WINDOW_SECONDS ? seconds : null;
}
