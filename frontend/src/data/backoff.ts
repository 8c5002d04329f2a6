/** Milliseconds before reconnect attempt ``attempt`` (0-based): 1 s doubling to 30 s, with
 * up to 30 % jitter so that many tabs do not come back at the same instant. */
export function nextDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 15));
  return Math.round(base * (1 + 0.3 * random()));
}
