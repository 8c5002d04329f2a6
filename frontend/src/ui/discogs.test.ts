import { describe, expect, it } from "vitest";
import { describeImport } from "./discogs";

const base = { type: "import_progress" as const, step: "pages", pages_done: 0, pages_total: null, releases_done: 0, releases_total: null, eta_seconds: null, detail: "", via: "server" as const };

describe("an import's state in words", () => {
  it("counts pages and releases while it runs, with the time left", () => {
    expect(describeImport({ ...base, state: "running" })).toBe("Importing from Discogs (pages): 0 pages");
    expect(
      describeImport({ ...base, state: "running", step: "details", pages_done: 2, pages_total: 2, releases_done: 10, releases_total: 59, eta_seconds: 61 }),
    ).toBe("Importing from Discogs (details): 2 of 2 pages, 10 of 59 releases, about 2 min left");
  });
  it("says how it ended", () => {
    expect(describeImport({ ...base, state: "done", step: "done" })).toMatch(/^Import finished/);
    expect(describeImport({ ...base, state: "failed", step: "failed", detail: "Discogs does not accept this token" })).toBe(
      "Import failed: Discogs does not accept this token.",
    );
  });
});
