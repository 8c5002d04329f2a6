// The user's Discogs import as a tab knows it: read from `GET /api/v1/discogs/status` when the
// tab starts and after every socket (re)connect, and advanced by the `import_progress`
// messages in between. The status is the truth about what is running and how the last import
// ended; the messages add the running import's counts. Pure: the live provider applies it.
import type { components as Rest } from "../api/schema";
import type { components as Ws } from "../api/ws";

export type ImportStatusBody = Rest["schemas"]["DiscogsImportStatus"];
export type ImportProgress = Ws["schemas"]["ImportProgressMessage"];
export type Via = "server" | "desktop";

export interface ImportState {
  state: "idle" | "running" | "done" | "failed";
  /** Who runs (or ran) it: this server or a desktop of the user. */
  via: Via | null;
  /** The running import's counts, once a message brought them (the status has none). */
  progress: ImportProgress | null;
  /** When the last import ended (ISO 8601), for "as of …". */
  finishedAt: string | null;
  error: string | null;
  /** Seen ending while this tab was open (then the banner shows the outcome). */
  endedHere: boolean;
}

export const UNKNOWN: ImportState = { state: "idle", via: null, progress: null, finishedAt: null, error: null, endedHere: false };

/** The state after the status endpoint answered. A status read while an import was running
 * in this tab's eyes and saying it ended is an outcome this tab missed (e.g. while it
 * reconnected): it is shown as one. */
export function applyStatus(prev: ImportState, status: ImportStatusBody): ImportState {
  const via = status.via ?? null;
  if (status.state === "running") {
    const progress = prev.state === "running" && prev.via === via ? prev.progress : null;
    return { state: "running", via, progress, finishedAt: prev.finishedAt, error: null, endedHere: false };
  }
  if (status.state === "idle") return { ...UNKNOWN, via };
  return {
    state: status.state,
    via,
    progress: null,
    finishedAt: status.finished_at ?? null,
    error: status.state === "failed" ? status.error || "the import did not finish" : null,
    // an outcome seen here stays one when the status re-dates it (the server's clock)
    endedHere: prev.state === "running" || (prev.endedHere && prev.state === status.state),
  };
}

/** The state after an `import_progress` message; ``now`` stamps an end the server's status
 * will date exactly when it is next read. */
export function applyProgress(prev: ImportState, message: ImportProgress, now: Date): ImportState {
  if (message.state === "running")
    return { state: "running", via: message.via, progress: message, finishedAt: prev.finishedAt, error: null, endedHere: false };
  return {
    state: message.state,
    via: message.via,
    progress: null,
    finishedAt: now.toISOString(),
    error: message.state === "failed" ? message.detail || "the import did not finish" : null,
    endedHere: true,
  };
}

/** Whether a status answer may replace the state: not if an `import_progress` message
 * arrived while it was on its way (the message is newer than what the server answered).
 * The arguments count the messages received when the request went out and now. */
export function statusIsCurrent(messagesAtRequest: number, messagesNow: number): boolean {
  return messagesNow === messagesAtRequest;
}

export const whom = (via: Via | null): string => (via === "desktop" ? "a desktop of yours" : via === "server" ? "this server" : "");

/** One line about an import's state for the banner. */
export function describeImport(s: ImportState): string {
  const by = s.via ? ` (by ${whom(s.via)})` : "";
  if (s.state === "done") return `Import finished${by}: your collection is up to date.`;
  if (s.state === "failed") return `Import failed${by}${s.error ? `: ${s.error}` : ""}.`;
  if (s.state === "idle") return "";
  const p = s.progress;
  if (!p) return `Importing from Discogs${by}…`;
  const pages = p.pages_total ? `${p.pages_done} of ${p.pages_total} pages` : `${p.pages_done} pages`;
  const releases = p.releases_total ? `, ${p.releases_done} of ${p.releases_total} releases` : p.releases_done ? `, ${p.releases_done} releases` : "";
  const eta = p.eta_seconds ? `, about ${Math.max(1, Math.ceil(p.eta_seconds / 60))} min left` : "";
  return `Importing from Discogs${by} (${p.step.replaceAll("_", " ")}): ${pages}${releases}${eta}`;
}

/** The last import in a sentence for Settings and the first run ("as of" its end). */
export function describeLastImport(s: ImportState, format: (iso: string) => string): string {
  if (s.state === "running") return `An import is running on ${whom(s.via) || "your behalf"}.`;
  if (s.state === "idle" || !s.finishedAt) return "No Discogs import reported to this server yet.";
  const by = s.via ? ` by ${whom(s.via)}` : "";
  if (s.state === "done") return `Last import${by}: up to date as of ${format(s.finishedAt)}.`;
  return `Last import${by} failed as of ${format(s.finishedAt)}: ${s.error ?? "the import did not finish"}.`;
}
