import { describe, expect, it } from "vitest";
import { colourVar, displayArtist } from "./status";

describe("status colours", () => {
  it("maps each PRODUCT §3 colour to its own custom property", () => {
    expect(colourVar("green")).toBe("var(--status-green)");
    expect(colourVar("light_green")).toBe("var(--status-light-green)");
    expect(colourVar("pale_green")).toBe("var(--status-pale-green)");
    expect(colourVar("amber")).toBe("var(--status-amber)");
    expect(colourVar("red")).toBe("var(--status-red)");
  });

  it("strips the Discogs disambiguator from artist names", () => {
    expect(displayArtist("Nirvana (2)")).toBe("Nirvana");
    expect(displayArtist("Sunn O)))")).toBe("Sunn O)))");
  });
});
