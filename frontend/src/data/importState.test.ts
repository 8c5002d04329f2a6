import { describe, expect, it } from "vitest";
import {
  applyProgress,
  applyStatus,
  describeImport,
  describeLastImport,
  statusIsCurrent,
  UNKNOWN,
  type ImportProgress,
  type ImportState,
} from "./importState";

const message = (over: Partial<ImportProgress>): ImportProgress => ({
  type: "import_progress",
  state: "running",
  step: "pages",
  pages_done: 0,
  pages_total: null,
  releases_done: 0,
  releases_total: null,
  eta_seconds: null,
  detail: "",
  via: "server",
  ...over,
});
const at = (iso: string) => iso;
const NOW = new Date("2026-12-07T06:00:00Z");

describe("the import's state from the status endpoint", () => {
  it("shows a running import at once, with who runs it, before any message", () => {
    const s = applyStatus(UNKNOWN, { state: "running", via: "desktop" });
    expect(s).toMatchObject({ state: "running", via: "desktop", progress: null, endedHere: false });
    expect(describeImport(s)).toBe("Importing from Discogs (by a desktop of yours)…");
    expect(describeLastImport(s, at)).toBe("An import is running on a desktop of yours.");
  });
  it("keeps the counts a message brought when the status confirms the same import runs", () => {
    const running = applyProgress(UNKNOWN, message({ pages_done: 1, pages_total: 3 }), NOW);
    expect(applyStatus(running, { state: "running", via: "server" }).progress?.pages_done).toBe(1);
    expect(applyStatus(running, { state: "running", via: "desktop" }).progress).toBeNull();
  });
  it("dates the last import and gives its error, without calling it news on load", () => {
    const done = applyStatus(UNKNOWN, { state: "done", via: "server", finished_at: "2026-12-07T05:00:00Z" });
    expect(done).toMatchObject({ state: "done", finishedAt: "2026-12-07T05:00:00Z", error: null, endedHere: false });
    expect(describeLastImport(done, at)).toBe("Last import by this server: up to date as of 2026-12-07T05:00:00Z.");
    const failed = applyStatus(UNKNOWN, { state: "failed", via: "desktop", finished_at: "2026-12-06T10:00:00Z", error: "Discogs does not accept this token" });
    expect(describeLastImport(failed, at)).toBe(
      "Last import by a desktop of yours failed as of 2026-12-06T10:00:00Z: Discogs does not accept this token.",
    );
    expect(applyStatus(UNKNOWN, { state: "failed", via: "server", finished_at: "2026-12-06T10:00:00Z" }).error).toBe(
      "the import did not finish",
    );
  });
  it("says when there has been no import", () => {
    const idle = applyStatus(UNKNOWN, { state: "idle" });
    expect(describeImport(idle)).toBe("");
    expect(describeLastImport(idle, at)).toBe("No Discogs import reported to this server yet.");
  });
  it("turns an end missed while reconnecting into an outcome to show", () => {
    const running = applyStatus(UNKNOWN, { state: "running", via: "server" });
    const ended = applyStatus(running, { state: "done", via: "server", finished_at: "2026-12-07T05:59:00Z" });
    expect(ended).toMatchObject({ state: "done", endedHere: true, finishedAt: "2026-12-07T05:59:00Z" });
  });
  it("reports an import that died (the server says failed) instead of running forever", () => {
    const running = applyProgress(UNKNOWN, message({}), NOW);
    const died = applyStatus(running, { state: "failed", via: "server", finished_at: "2026-12-07T05:55:00Z", error: "stopped answering" });
    expect(died).toMatchObject({ state: "failed", endedHere: true, progress: null });
    expect(describeImport(died)).toBe("Import failed (by this server): stopped answering.");
  });
});

describe("the import's state from socket messages", () => {
  it("counts pages and releases while it runs, with the time left", () => {
    expect(describeImport(applyProgress(UNKNOWN, message({}), NOW))).toBe("Importing from Discogs (by this server) (pages): 0 pages");
    const s = applyProgress(
      UNKNOWN,
      message({ step: "release_details", pages_done: 2, pages_total: 2, releases_done: 10, releases_total: 59, eta_seconds: 61, via: "desktop" }),
      NOW,
    );
    expect(describeImport(s)).toBe("Importing from Discogs (by a desktop of yours) (release details): 2 of 2 pages, 10 of 59 releases, about 2 min left");
  });
  it("says how it ended, dated now until the status dates it", () => {
    const running = applyProgress(UNKNOWN, message({}), NOW);
    const done = applyProgress(running, message({ state: "done", step: "done" }), NOW);
    expect(done).toMatchObject({ state: "done", endedHere: true, finishedAt: NOW.toISOString() });
    expect(describeImport(done)).toMatch(/^Import finished \(by this server\)/);
    const redated = applyStatus(done, { state: "done", via: "server", finished_at: "2026-12-07T05:59:59Z" });
    expect(redated).toMatchObject({ endedHere: true, finishedAt: "2026-12-07T05:59:59Z" });
    const failed = applyProgress(running, message({ state: "failed", step: "failed", detail: "Discogs does not accept this token" }), NOW);
    expect(describeImport(failed)).toBe("Import failed (by this server): Discogs does not accept this token.");
  });
  it("a new import clears the last outcome", () => {
    const failed: ImportState = { ...UNKNOWN, state: "failed", via: "server", finishedAt: "x", error: "boom", endedHere: true };
    expect(applyProgress(failed, message({}), NOW)).toMatchObject({ state: "running", error: null, endedHere: false });
  });
});

describe("a status answer against messages that overtook it", () => {
  it("is taken only if no message arrived while it was on its way", () => {
    expect(statusIsCurrent(3, 3)).toBe(true);
    expect(statusIsCurrent(3, 4)).toBe(false);
  });
});
