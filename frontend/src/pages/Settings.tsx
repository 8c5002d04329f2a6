import { createSignal, Show } from "solid-js";
import { api, ok } from "../api/client";
import { browserTimeZone } from "../data/time";
import { useLive } from "../providers/live";
import { useSession } from "../providers/session";
import { attempt, useToasts } from "../providers/toasts";
import { DiscogsConnect } from "../ui/discogs";

const MAX_LEGACY_BYTES = 256 * 1024 * 1024; // as the server's POST /api/v1/import/legacy

export default function Settings() {
  const live = useLive();
  const notify = useToasts();
  const { session, refresh } = useSession();
  const [zone, setZone] = createSignal(session()?.user?.time_zone ?? browserTimeZone());

  async function saveZone(event: SubmitEvent) {
    event.preventDefault();
    if (await attempt(notify, () => ok(api.PATCH("/api/v1/me", { body: { time_zone: zone().trim() } })), "Time zone saved")) refresh();
  }
  async function importFile(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const text = await file.text();
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      notify.error(`${file.name} is not a JSON export.`);
      return;
    }
    const done = await attempt(
      notify,
      () => ok(api.POST("/api/v1/import", { body: document as never })).then((summary) =>
        notify.ok(`Imported ${summary.plays} plays, ${summary.cleanings} cleanings, ${summary.styluses} styluses (${summary.unchanged} unchanged)`)),
      "Import finished",
    );
    input.value = "";
    if (done) live.touched("play", "cleaning", "stylus");
  }

  const [legacy, setLegacy] = createSignal<string>("");
  async function importLegacy(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    if (file.size > MAX_LEGACY_BYTES) {
      notify.error(`${file.name} is larger than 256 MB: run kleio-server import-legacy on the server instead.`);
      return;
    }
    setLegacy(`Uploading and importing ${file.name}…`);
    try {
      const summary = await ok(
        api.POST("/api/v1/import/legacy", {
          body: file as never,
          bodySerializer: (body: unknown) => body as Blob,
          headers: { "Content-Type": "application/octet-stream" },
        }),
      );
      const created = Object.entries(summary.created).filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`);
      setLegacy(
        `Imported ${created.length ? created.join(", ") : "nothing new"} (${summary.unchanged} already here)` +
          (summary.problems.length ? `; ${summary.problems.length} rows skipped: ${summary.problems.slice(0, 3).join("; ")}` : "."),
      );
      live.touched("play", "cleaning", "stylus", "collection_item", "folder");
    } catch (error) {
      setLegacy("");
      notify.error(error instanceof Error ? error.message : String(error));
    }
  }

  return (
    <section aria-labelledby="settings-title" class="settings">
      <h1 id="settings-title">Settings</h1>
      <form class="card" onSubmit={saveZone} aria-labelledby="tz-title">
        <h2 id="tz-title">Time zone</h2>
        <p class="muted">History and analytics group plays by your local day.</p>
        <div class="field"><label for="tz">IANA time zone</label><input id="tz" value={zone()} onInput={(e) => setZone(e.currentTarget.value)} list="tz-suggest" required maxlength={64} /></div>
        <datalist id="tz-suggest"><option value={browserTimeZone()} /></datalist>
        <div class="actions"><button type="submit" class="primary">Save</button></div>
      </form>

      <section class="card" aria-labelledby="discogs-title">
        <h2 id="discogs-title">Discogs</h2>
        <DiscogsConnect />
        <p class="muted small">Kleio is not affiliated with, sponsored or endorsed by Discogs. “Discogs” is a trademark of Zink Media, LLC.</p>
      </section>

      <section class="card" aria-labelledby="data-title">
        <h2 id="data-title">Your data</h2>
        <div class="actions">
          <a class="button" href="/api/v1/export" download="kleio-export.json">Export JSON</a>
          <a class="button" href="/api/v1/export/plays.csv" download="kleio-plays.csv">Export plays (CSV)</a>
          <label class="button">Import JSON… <input type="file" accept="application/json,.json" class="sr-only" onChange={importFile} /></label>
        </div>
        <h3>From the predecessor app</h3>
        <p class="muted">Upload its database file (<code>kleio.db</code>): its records, plays, cleanings and styluses join yours. Uploading it again adds nothing twice.</p>
        <div class="actions">
          <label class="button">Upload kleio.db… <input type="file" accept=".db,.sqlite,.sqlite3,application/vnd.sqlite3,application/x-sqlite3" class="sr-only" onChange={importLegacy} /></label>
        </div>
        <Show when={legacy()}><p role="status">{legacy()}</p></Show>
      </section>

      <section class="card" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        <p>Signed in {session()?.mode === "local" ? "with this server's access key (local mode)" : `as ${session()?.user?.name ?? session()?.user?.email ?? session()?.user?.subject}`}.</p>
      </section>
    </section>
  );
}
