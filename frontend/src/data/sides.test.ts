import { describe, expect, it } from "vitest";
import { releaseSides, sideName, trackSide } from "./sides";

describe("the sides of a release", () => {
  it("come from the tracklist positions, in order, once each", () => {
    const tracks = [{ position: "A1" }, { position: "a2" }, { position: "B1" }, { position: "AA" }, { position: "3" }];
    expect(releaseSides(tracks, [])).toEqual(["A", "B", "AA"]);
  });
  it("else two per vinyl disc, and A/B when nothing says", () => {
    expect(releaseSides([{ position: "1" }], [{ name: "Vinyl", qty: 2 }, { name: "CD", qty: 1 }])).toEqual(["A", "B", "C", "D"]);
    expect(releaseSides([], [{ name: "Vinyl", qty: 0 }])).toEqual(["A", "B"]);
    expect(releaseSides([], [])).toEqual(["A", "B"]);
  });
  it("are named A..Z, then AA, AB…", () => {
    expect(sideName(0)).toBe("A");
    expect(sideName(25)).toBe("Z");
    expect(sideName(26)).toBe("AA");
    expect(sideName(27)).toBe("AB");
    expect(trackSide(" c3 ")).toBe("C");
  });
});
