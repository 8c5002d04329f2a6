import { describe, expect, it } from "vitest";
import { niceCeil, tickIndices } from "./Bars";

describe("chart axes", () => {
  it("round the top up to 1, 2 or 5 times a power of ten", () => {
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(1)).toBe(1);
    expect(niceCeil(3)).toBe(5);
    expect(niceCeil(7)).toBe(10);
    expect(niceCeil(11)).toBe(20);
    expect(niceCeil(0.3)).toBeCloseTo(0.5);
  });
  it("spread the x labels, first and last included", () => {
    expect(tickIndices(3, 5)).toEqual([0, 1, 2]);
    expect(tickIndices(30, 5)).toEqual([0, 7, 15, 22, 29]);
    expect(tickIndices(0, 5)).toEqual([]);
  });
});
