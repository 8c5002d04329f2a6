import { describe, expect, it } from "vitest";
import { ago, formatDuration, fromLocalInput, toLocalInput, withOffset } from "./time";

describe("local date-time inputs", () => {
  it("round-trips an instant through the input value", () => {
    const instant = new Date(2026, 2, 29, 23, 45, 0);
    const iso = fromLocalInput(toLocalInput(instant));
    expect(iso).not.toBeNull();
    expect(new Date(iso!).getTime()).toBe(instant.getTime());
  });

  it("keeps the seconds an edited entry had", () => {
    const iso = fromLocalInput("2026-01-02T03:04", 59)!;
    expect(new Date(iso).getSeconds()).toBe(59);
  });

  it("refuses what is not a date-time", () => {
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("2026-01-02")).toBeNull();
    expect(fromLocalInput("yesterday")).toBeNull();
  });

  it("writes the local offset", () => {
    expect(withOffset(new Date(2026, 0, 1, 12, 0, 0))).toMatch(
      /^2026-01-01T12:00:00[+-]\d{2}:\d{2}$/,
    );
  });
});

describe("relative and duration texts", () => {
  const now = new Date("2026-06-15T12:00:00Z");
  it.each([
    [null, "never"],
    ["2026-06-15T08:00:00Z", "today"],
    ["2026-06-14T08:00:00Z", "yesterday"],
    ["2026-06-05T12:00:00Z", "10 days ago"],
    ["2026-03-15T12:00:00Z", "3 months ago"],
    ["2024-06-01T12:00:00Z", "2 years ago"],
  ])("%s is %s", (iso, text) => expect(ago(iso, now)).toBe(text));

  it("formats minutes and hours", () => {
    expect(formatDuration(45 * 60)).toBe("45 min");
    expect(formatDuration(125 * 60)).toBe("2 h 05 min");
  });
});
