import { A } from "@solidjs/router";
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { api, ok } from "../api/client";
import type { paths } from "../api/schema";
import { displayArtist } from "../data/status";
import { browserTimeZone } from "../data/time";
import { useLive } from "../providers/live";
import { Empty, Failed, Loading } from "../ui/common";

type Query = NonNullable<paths["/api/v1/history"]["get"]["parameters"]["query"]>;
const time = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export default function History() {
  const live = useLive();
  const [period, setPeriod] = createSignal<NonNullable<Query["period"]>>("month");
  const [group, setGroup] = createSignal<NonNullable<Query["group"]>>("date");
  const [typed, setTyped] = createSignal("");
  const [q, setQ] = createSignal("");
  let debounce: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(debounce));
  const [history, { refetch }] = createResource(
    () => ({ period: period(), group: group(), q: q(), tz: browserTimeZone(), v: live.version("play", "cleaning", "stylus") }),
    ({ v: _v, ...query }) => ok(api.GET("/api/v1/history", { params: { query } })),
  );
  return (
    <section aria-labelledby="history-page-title">
      <div class="toolbar">
        <h1 id="history-page-title">History</h1>
        <label class="search">
          <span class="sr-only">Search history</span>
          <input
            type="search"
            placeholder="Search title, artist, stylus, notes…"
            value={typed()}
            onInput={(e) => {
              const value = e.currentTarget.value;
              setTyped(value);
              clearTimeout(debounce);
              debounce = setTimeout(() => setQ(value), 200);
            }}
          />
        </label>
        <label>
          <span class="sr-only">Period</span>
          <select value={period()} onChange={(e) => setPeriod(e.currentTarget.value as NonNullable<Query["period"]>)}>
            <option value="week">This week</option>
            <option value="month">This month</option>
            <option value="year">This year</option>
            <option value="all">All time</option>
          </select>
        </label>
        <label>
          <span class="sr-only">Group by</span>
          <select value={group()} onChange={(e) => setGroup(e.currentTarget.value as NonNullable<Query["group"]>)}>
            <option value="date">By day</option>
            <option value="artist">By artist</option>
            <option value="album">By album</option>
            <option value="none">No grouping</option>
          </select>
        </label>
      </div>
      <Show when={!history.error} fallback={<Failed error={history.error} retry={refetch} />}>
        <Show when={history.latest} fallback={<Loading what="history" />}>
          <Show
            when={history.latest!.groups.length > 0}
            fallback={<Empty><p>No plays or cleanings in this period. Log one from the Log view, or choose a longer period.</p></Empty>}
          >
            <For each={history.latest!.groups}>
              {(g) => (
                <section class="history-group">
                  <Show when={group() !== "none"}><h2>{g.label}</h2></Show>
                  <ol class="history">
                    <For each={g.entries}>
                      {(entry) => (
                        <li class={`history-entry kind-${entry.kind}`}>
                          <span class="kind">{entry.kind === "play" ? "Played" : entry.deep ? "Deep-cleaned" : "Cleaned"}</span>
                          <time datetime={entry.at}>{group() === "date" ? time.format(new Date(entry.at)) : `${day.format(new Date(entry.at))} ${time.format(new Date(entry.at))}`}</time>
                          <Show when={entry.release.known} fallback={<span class="record-title">{entry.release.title}</span>}>
                            <A class="record-title" href={`/release/${entry.release.id}`}>{entry.release.title}</A>
                          </Show>
                          <span class="muted">{displayArtist(entry.release.artist)}</span>
                          <Show when={entry.stylus_name}><span class="muted">{entry.stylus_name}</span></Show>
                          <Show when={entry.sides?.length}><span class="badge">side{entry.sides!.length > 1 ? "s" : ""} {entry.sides!.join(", ")}</span></Show>
                          <Show when={entry.cleaned_same_day}><span class="badge">cleaned same day</span></Show>
                          <Show when={entry.notes}><span class="notes">{entry.notes}</span></Show>
                        </li>
                      )}
                    </For>
                  </ol>
                </section>
              )}
            </For>
          </Show>
        </Show>
      </Show>
    </section>
  );
}
