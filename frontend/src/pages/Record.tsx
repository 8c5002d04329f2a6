import { A, useParams } from "@solidjs/router";
import { createEffect, createResource, createSignal, For, Show } from "solid-js";
import { api, ok, type Schemas } from "../api/client";
import { displayArtist } from "../data/status";
import { releaseSides } from "../data/sides";
import { ARCHIVE_REASONS } from "../data/status";
import { formatDateTime, formatDuration, fromLocalInput, toLocalInput, withOffset } from "../data/time";
import { useLive } from "../providers/live";
import { attempt, useToasts } from "../providers/toasts";
import { Confirm, Cover, DiscogsAttribution, Failed, Loading } from "../ui/common";
import { StatusDots } from "../ui/status";
import { StylusSelect, useStyluses } from "../ui/stylus";

type Entry = Schemas["RecordHistoryEntry"];
type ArchiveReason = Schemas["ArchiveRequest"]["reason"] & string;
const ARCHIVABLE: [ArchiveReason, string][] = [
  ["user", "I no longer want it listed"],
  ["duplicate", "It is a duplicate"],
  ["mistake", "It was added by mistake"],
];

export default function Record() {
  const params = useParams<{ instanceId?: string; releaseId?: string }>();
  const live = useLive();
  const notify = useToasts();
  const { styluses } = useStyluses();
  const [record, { refetch }] = createResource(
    () => ({ instance: Number(params.instanceId), release: Number(params.releaseId), v: live.version("play", "cleaning", "collection_item", "stylus") }),
    ({ instance, release }) =>
      params.releaseId // from a history row, which names a release: the user's copy of it
        ? ok(api.GET("/api/v1/releases/{release_id}/record", { params: { path: { release_id: release } } }))
        : ok(api.GET("/api/v1/collection/{instance_id}", { params: { path: { instance_id: instance } } })),
  );

  // the log form
  const [when, setWhen] = createSignal(toLocalInput(new Date()));
  const [stylus, setStylus] = createSignal("");
  const [notes, setNotes] = createSignal("");
  const [deep, setDeep] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [sides, setSides] = createSignal<string[]>([]);
  const [reason, setReason] = createSignal<ArchiveReason>("user");
  const available = () => {
    const release = record()?.release;
    return release ? releaseSides(release.tracks ?? [], release.formats ?? []) : [];
  };
  createEffect(() => {
    const primary = (styluses() ?? []).find((s) => s.primary && !s.retired);
    if (primary && stylus() === "") setStylus(primary.id);
  });

  const [editing, setEditing] = createSignal<Entry | null>(null);
  const [deleting, setDeleting] = createSignal<Entry | null>(null);

  async function log(kind: "play" | "cleaning" | "both") {
    const item = record();
    const at = fromLocalInput(when());
    if (!item || !at) {
      notify.error("Enter a date and time.");
      return;
    }
    const release_id = item.release_id;
    const stylus_id = stylus() || null;
    const named = sides().length ? available().filter((side) => sides().includes(side)) : null;
    setBusy(true);
    const done = await attempt(
      notify,
      () =>
        kind === "play"
          ? ok(api.POST("/api/v1/plays", { body: { release_id, played_at: at, stylus_id, notes: notes(), sides: named } }))
          : kind === "cleaning"
            ? ok(api.POST("/api/v1/cleanings", { body: { release_id, cleaned_at: at, notes: notes(), deep: deep() } }))
            : named
              ? // "log both" with sides: the cleaning, then the play of those sides a second later
                ok(api.POST("/api/v1/cleanings", { body: { release_id, cleaned_at: at, notes: notes(), deep: deep() } })).then(() =>
                  ok(api.POST("/api/v1/plays", { body: { release_id, played_at: withOffset(new Date(new Date(at).getTime() + 1000)), stylus_id, notes: notes(), sides: named } })),
                )
              : ok(api.POST("/api/v1/plays/with-cleaning", { body: { release_id, at, stylus_id, notes: notes(), deep: deep() } })),
      kind === "play" ? "Play logged" : kind === "cleaning" ? "Cleaning logged" : "Cleaning and play logged",
    );
    setBusy(false);
    if (done) {
      setNotes("");
      setSides([]);
      setWhen(toLocalInput(new Date()));
      live.touched("play", "cleaning");
    }
  }

  async function remove(entry: Entry) {
    setDeleting(null);
    const done = await attempt(
      notify,
      () =>
        entry.kind === "play"
          ? ok(api.DELETE("/api/v1/plays/{play_id}", { params: { path: { play_id: entry.id } } }))
          : ok(api.DELETE("/api/v1/cleanings/{cleaning_id}", { params: { path: { cleaning_id: entry.id } } })),
      entry.kind === "play" ? "Play deleted" : "Cleaning deleted",
    );
    if (done) live.touched(entry.kind);
  }

  async function archive(item: Schemas["RecordDetail"]) {
    const path = { instance_id: item.instance_id };
    const done = await attempt(
      notify,
      () =>
        item.archived_at
          ? ok(api.POST("/api/v1/collection/{instance_id}/restore", { params: { path } }))
          : ok(api.POST("/api/v1/collection/{instance_id}/archive", { params: { path }, body: { reason: reason() } })),
      item.archived_at ? "Record restored" : "Record archived",
    );
    if (done) live.touched("collection_item");
  }

  return (
    <Show when={!record.error} fallback={<Failed error={record.error} retry={refetch} />}>
      <Show when={record.latest} fallback={<Loading what="the record" />}>
        {(item) => (
          <article class="record-page">
            <header class="record-head">
              <Cover url={item().release?.cover_url || item().release?.thumb_url} size="l" alt={`Cover of ${item().release?.title ?? ""}`} />
              <div>
                <h1>{item().release?.title ?? `Release ${item().release_id}`}</h1>
                <p class="muted">
                  {displayArtist(item().artist ?? "")}
                  {item().release?.year ? ` · ${item().release!.year}` : ""}
                  {item().release?.genres?.length ? ` · ${item().release!.genres!.join(", ")}` : ""}
                </p>
                <p class="facts">
                  <StatusDots status={item().status} />
                  <span>{item().status.recency.label}</span>
                  <span>{item().status.cleanliness.label}</span>
                </p>
                <dl class="numbers">
                  <div><dt>Plays</dt><dd>{item().status.plays}</dd></div>
                  <div><dt>Since cleaning</dt><dd>{item().status.plays_since_cleaning}</dd></div>
                  <div><dt>Last played</dt><dd>{formatDateTime(item().status.last_played_at)}</dd></div>
                  <div><dt>Last cleaned</dt><dd>{formatDateTime(item().status.last_cleaned_at)}</dd></div>
                </dl>
                <p>
                  <A href={`/analytics?period=all&release_id=${item().release_id}&title=${encodeURIComponent(item().release?.title ?? "")}`}>
                    Analytics of this record
                  </A>
                </p>
                <Show when={item().archived_at}>
                  <p class="badge">Archived: {ARCHIVE_REASONS[item().archive_reason ?? "user"]}</p>
                </Show>
              </div>
            </header>

            <form class="log-form" aria-label="Log a play or cleaning" onSubmit={(e) => { e.preventDefault(); void log("play"); }}>
              <div class="field">
                <label for="log-when">Date and time</label>
                <input id="log-when" type="datetime-local" value={when()} onInput={(e) => setWhen(e.currentTarget.value)} required />
              </div>
              <div class="field">
                <label for="log-stylus">Stylus</label>
                <StylusSelect id="log-stylus" styluses={styluses() ?? []} value={stylus()} onChange={setStylus} />
              </div>
              <div class="field grow">
                <label for="log-notes">Notes</label>
                <input id="log-notes" type="text" maxlength={2000} value={notes()} onInput={(e) => setNotes(e.currentTarget.value)} />
              </div>
              <label class="check">
                <input type="checkbox" checked={deep()} onChange={(e) => setDeep(e.currentTarget.checked)} /> Deep clean
              </label>
              <SidesPicker available={available()} value={sides()} onChange={setSides} />
              <div class="actions">
                <button type="submit" class="primary" disabled={busy()}>Log play</button>
                <button type="button" disabled={busy()} onClick={() => log("cleaning")}>Log cleaning</button>
                <button type="button" disabled={busy()} onClick={() => log("both")}>Log both</button>
              </div>
            </form>

            <div class="record-columns">
              <section aria-labelledby="history-title">
                <h2 id="history-title">History</h2>
                <Show when={item().history.length > 0} fallback={<p class="muted">Not played or cleaned yet. Log the first play above.</p>}>
                  <ol class="history">
                    <For each={item().history}>
                      {(entry) => (
                        <li class={`history-entry kind-${entry.kind}`}>
                          <span class="kind">{entry.kind === "play" ? "Played" : entry.deep ? "Deep-cleaned" : "Cleaned"}</span>
                          <time datetime={entry.at}>{formatDateTime(entry.at)}</time>
                          <Show when={entry.stylus_name}><span class="muted">{entry.stylus_name}</span></Show>
                          <Show when={entry.sides?.length}><span class="badge">side{entry.sides!.length > 1 ? "s" : ""} {entry.sides!.join(", ")}</span></Show>
                          <Show when={entry.notes}><span class="notes">{entry.notes}</span></Show>
                          <span class="row-actions">
                            <button type="button" class="link" onClick={() => setEditing(entry)}>
                              Edit<span class="sr-only"> {entry.kind} of {formatDateTime(entry.at)}</span>
                            </button>
                            <button type="button" class="link danger" onClick={() => setDeleting(entry)}>
                              Delete<span class="sr-only"> {entry.kind} of {formatDateTime(entry.at)}</span>
                            </button>
                          </span>
                        </li>
                      )}
                    </For>
                  </ol>
                </Show>
              </section>
              <section aria-labelledby="tracks-title">
                <h2 id="tracks-title">Tracklist</h2>
                <Show when={item().release?.tracks?.length} fallback={<p class="muted">No tracklist yet (fetched from Discogs in the background).</p>}>
                  <ol class="tracks">
                    <For each={item().release!.tracks!}>
                      {(track) => (
                        <li><span class="pos">{track.position}</span> {track.title} <span class="muted">{track.duration_text}</span></li>
                      )}
                    </For>
                  </ol>
                </Show>
                <Show when={item().release?.duration_seconds}>
                  <p class="muted">
                    {formatDuration(item().release!.duration_seconds!)}{item().release?.duration_estimated ? " (estimated)" : ""}
                  </p>
                </Show>
                <Show
                  when={!item().archived_at}
                  fallback={<button type="button" onClick={() => archive(item())}>Restore to the collection</button>}
                >
                  <div class="archive-form">
                    <label for="archive-reason">Archive because</label>
                    <select id="archive-reason" value={reason()} onChange={(e) => setReason(e.currentTarget.value as ArchiveReason)}>
                      <For each={ARCHIVABLE}>{([key, label]) => <option value={key}>{label}</option>}</For>
                    </select>
                    <button type="button" onClick={() => archive(item())}>Archive this record</button>
                  </div>
                </Show>
                <DiscogsAttribution />
              </section>
            </div>

            <Show when={editing()}>
              {(entry) => (
                <EditPanel
                  entry={entry()}
                  sides={available()}
                  styluses={styluses() ?? []}
                  onClose={() => setEditing(null)}
                />
              )}
            </Show>
            <Confirm
              open={deleting() !== null}
              title={`Delete this ${deleting()?.kind ?? "entry"}?`}
              confirmLabel="Delete"
              onCancel={() => setDeleting(null)}
              onConfirm={() => remove(deleting()!)}
            >
              <p>The {deleting()?.kind} of {formatDateTime(deleting()?.at)} will be removed on every device.</p>
            </Confirm>
            <p><A href="/">Back to the log</A></p>
          </article>
        )}
      </Show>
    </Show>
  );
}

/** Side-level plays (PRODUCT §7): tick the sides played; none ticked is the whole record. */
function SidesPicker(props: { available: string[]; value: string[]; onChange: (sides: string[]) => void }) {
  const toggle = (side: string, on: boolean) =>
    props.onChange(on ? [...props.value, side] : props.value.filter((s) => s !== side));
  return (
    <Show when={props.available.length > 1}>
      <fieldset class="sides">
        <legend>Sides played <span class="muted">(none ticked: the whole record)</span></legend>
        <For each={props.available}>
          {(side) => (
            <label class="check">
              <input type="checkbox" checked={props.value.includes(side)} onChange={(e) => toggle(side, e.currentTarget.checked)} />
              <span class="sr-only">Side </span>{side}
            </label>
          )}
        </For>
      </fieldset>
    </Show>
  );
}

function EditPanel(props: { entry: Entry; sides: string[]; styluses: Schemas["StylusOut"][]; onClose: () => void }) {
  const notify = useToasts();
  const live = useLive();
  const original = new Date(props.entry.at);
  const [when, setWhen] = createSignal(toLocalInput(original));
  const [stylus, setStylus] = createSignal(props.entry.stylus_id ?? "");
  const [notes, setNotes] = createSignal(props.entry.notes);
  const [deep, setDeep] = createSignal(props.entry.deep ?? false);
  const [sides, setSides] = createSignal<string[]>(props.entry.sides ?? []);

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const at = fromLocalInput(when(), original.getSeconds());
    if (!at) return notify.error("Enter a date and time.");
    const entry = props.entry;
    const done = await attempt(
      notify,
      () =>
        entry.kind === "play"
          ? ok(api.PATCH("/api/v1/plays/{play_id}", { params: { path: { play_id: entry.id } }, body: { played_at: at, stylus_id: stylus() || null, notes: notes(), sides: sides().length ? props.sides.filter((s) => sides().includes(s)) : null } }))
          : ok(api.PATCH("/api/v1/cleanings/{cleaning_id}", { params: { path: { cleaning_id: entry.id } }, body: { cleaned_at: at, notes: notes(), deep: deep() } })),
      entry.kind === "play" ? "Play updated" : "Cleaning updated",
    );
    if (done) {
      live.touched(entry.kind);
      props.onClose();
    }
  }

  return (
    <aside class="panel" aria-labelledby="edit-title">
      <form onSubmit={save}>
        <h2 id="edit-title">Edit {props.entry.kind}</h2>
        <div class="field">
          <label for="edit-when">Date and time</label>
          <input id="edit-when" type="datetime-local" value={when()} onInput={(e) => setWhen(e.currentTarget.value)} required />
        </div>
        <Show when={props.entry.kind === "play"}>
          <div class="field">
            <label for="edit-stylus">Stylus</label>
            <StylusSelect id="edit-stylus" styluses={props.styluses} value={stylus()} onChange={setStylus} />
          </div>
          <SidesPicker available={props.sides} value={sides()} onChange={setSides} />
        </Show>
        <div class="field">
          <label for="edit-notes">Notes</label>
          <input id="edit-notes" type="text" maxlength={2000} value={notes()} onInput={(e) => setNotes(e.currentTarget.value)} />
        </div>
        <Show when={props.entry.kind === "cleaning"}>
          <label class="check">
            <input type="checkbox" checked={deep()} onChange={(e) => setDeep(e.currentTarget.checked)} /> Deep clean
          </label>
        </Show>
        <div class="actions">
          <button type="button" onClick={() => props.onClose()}>Cancel</button>
          <button type="submit" class="primary">Save</button>
        </div>
      </form>
    </aside>
  );
}
