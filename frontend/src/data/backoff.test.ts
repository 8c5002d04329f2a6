import { expect, it } from "vitest";
import { nextDelay } from "./backoff";

it("doubles from one second and stops at thirty", () => {
  const none = () => 0;
  expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => nextDelay(n, none))).toEqual([
    1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
  ]);
});

it("adds at most 30 % jitter", () => {
  expect(nextDelay(0, () => 0.999)).toBeLessThanOrEqual(1300);
  expect(nextDelay(0, () => 0.999)).toBeGreaterThan(1000);
});
