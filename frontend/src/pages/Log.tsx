import { A, useSearchParams } from "@solidjs/router";
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { api, ok, type Schemas } from "../api/client";
import type { paths } from "../api/schema";
import { quickClean, quickPlay } from "../data/actions";
import { displayArtist } from "../data/status";
import { ago } from "../data/time";
import { useFolder } from "../providers/folder";
import { useLive } from "../providers/live";
import { attempt, useToasts } from "../providers/toasts";
import { Cover, DiscogsAttribution, Empty, Failed, Loading } from "../ui/common";
import { DiscogsConnect } from "../ui/discogs";
import { FolderSelect } from "../ui/Layout";
import { StatusDots } from "../ui/status";

type Sort = NonNullable<paths["/api/v1/collection"]["get"]["parameters"]["query"]>["sort"];
type Item = Schemas["CollectionItemOut"];

export const SORTS: [NonNullable<Sort>, string][] = [
  ["artist", "Artist"],
  ["album", "Album"],
  ["genre", "Genre"],
  ["last_played", "Last played"],
  ["longest_unplayed", "Longest unplayed"],
  ["needs_cleaning", "Needs cleaning"],
  ["recently_played", "Recently played (30 days)"],
  ["year", "Year"],
  ["most_played", "Most played"],
];
const PAGE = 100;

export default function Log() {
  const live = useLive();
  const notify = useToasts();
  const { folder } = useFolder();
  const [params, setParams] = useSearchParams<{ q?: string; sort?: string }>();
  const [typed, setTyped] = createSignal(params.q ?? "");
  const [pages, setPages] = createSignal(1);
  let debounce: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(debounce));

  const query = () => ({
    q: params.q || undefined,
    sort: (params.sort as Sort) || undefined,
    folder_id: folder() || undefined,
    limit: PAGE * pages(),
    version: live.version("play", "cleaning", "collection_item"),
  });
  const [page, { refetch }] = createResource(query, ({ version: _v, ...q }) =>
    ok(api.GET("/api/v1/collection", { params: { query: q } })),
  );

  const onSearch = (value: string) => {
    setTyped(value);
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      setPages(1);
      setParams({ q: value || undefined }, { replace: true });
    }, 200);
  };

  async function play(item: Item) {
    const title = item.release?.title ?? `release ${item.release_id}`;
    if (await attempt(notify, () => quickPlay(item.release_id), `Logged a play of ${title}`))
      live.touched("play");
  }
  async function clean(item: Item) {
    const title = item.release?.title ?? `release ${item.release_id}`;
    if (await attempt(notify, () => quickClean(item.release_id), `Logged a cleaning of ${title}`))
      live.touched("cleaning");
  }

  return (
    <section aria-labelledby="log-title">
      <div class="toolbar">
        <h1 id="log-title">Log</h1>
        <label class="search">
          <span class="sr-only">Search the collection</span>
          <input
            type="search"
            placeholder="Search title, artist, genre, label…"
            value={typed()}
            onInput={(e) => onSearch(e.currentTarget.value)}
          />
        </label>
        <label>
          <span class="sr-only">Sort by</span>
          <select
            value={params.sort ?? ""}
            onChange={(e) => setParams({ sort: e.currentTarget.value || undefined }, { replace: true })}
          >
            <option value="">{params.q ? "Best match" : "Artist"}</option>
            <For each={SORTS.filter(([key]) => key !== "artist")}>
              {([key, label]) => <option value={key}>{label}</option>}
            </For>
          </select>
        </label>
        <FolderSelect />
      </div>
      <Show when={!page.error} fallback={<Failed error={page.error} retry={refetch} />}>
        <Show when={page.latest} fallback={<Loading what="your collection" />}>
          <Show
            when={page.latest!.items.length > 0}
            fallback={
              <Empty>
                <Show
                  when={params.q}
                  fallback={
                    <section class="first-run" aria-labelledby="first-run-title">
                      <h2 id="first-run-title">Welcome to Kleio</h2>
                      <p>
                        No records yet. Import your collection from Discogs: on a desktop with{" "}
                        <code>kleio discogs import</code> (it uploads what it imports), or here, through this server.
                      </p>
                      <DiscogsConnect firstRun />
                    </section>
                  }
                >
                  <p>Nothing matches “{params.q}”.</p>
                </Show>
              </Empty>
            }
          >
            <p class="count" aria-live="polite">
              {page.latest!.total ?? page.latest!.items.length} records
            </p>
            <ul class="records" aria-label="Records">
              <For each={page.latest!.items}>
                {(item) => (
                  <li class="record-row">
                    <Cover url={item.release?.thumb_url} />
                    <div class="record-text">
                      <A href={`/record/${item.instance_id}`} class="record-title">
                        {item.release?.title ?? `Release ${item.release_id}`}
                      </A>
                      <span class="muted">
                        {displayArtist(item.artist ?? "")}
                        {item.release?.year ? ` · ${item.release.year}` : ""}
                      </span>
                      <span class="facts">
                        <StatusDots status={item.status} />
                        <span>played {ago(item.status.last_played_at)}</span>
                        <span>cleaned {ago(item.status.last_cleaned_at)}</span>
                        <span>
                          {item.status.plays_since_cleaning} play
                          {item.status.plays_since_cleaning === 1 ? "" : "s"} since cleaning
                        </span>
                      </span>
                    </div>
                    <div class="quick">
                      <button type="button" class="primary" onClick={() => play(item)}>
                        Play<span class="sr-only"> {item.release?.title}</span>
                      </button>
                      <button type="button" onClick={() => clean(item)}>
                        Clean<span class="sr-only"> {item.release?.title}</span>
                      </button>
                    </div>
                  </li>
                )}
              </For>
            </ul>
            <Show when={page.latest!.next_cursor}>
              <button type="button" class="more" onClick={() => setPages((n) => n + 1)}>
                Show more
              </button>
            </Show>
            <DiscogsAttribution />
          </Show>
        </Show>
      </Show>
    </section>
  );
}
