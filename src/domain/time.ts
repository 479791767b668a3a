/** Unix seconds, the unit of every `*_at` field on the wire. */
export function nowSeconds(now: number = Date.now()): number {
  return Math.floor(now / 1000);
}
