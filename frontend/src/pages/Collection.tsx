import { A } from "@solidjs/router";
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { api, ok } from "../api/client";
import type { paths } from "../api/schema";
import { displayArtist } from "../data/status";
import { useFolder } from "../providers/folder";
import { useLive } from "../providers/live";
import { Cover, DiscogsAttribution, Empty, Failed, Loading } from "../ui/common";
import { FolderSelect } from "../ui/Layout";
import { StatusDots } from "../ui/status";
import { ChipFilter } from "../ui/filter";
import { TrackPeek } from "../ui/peek";
import { VirtualGrid } from "../ui/VirtualGrid";

type Sort = NonNullable<paths["/api/v1/collection"]["get"]["parameters"]["query"]>["sort"];
const PAGE = 500;
const TILE_WIDTH = { s: 96, m: 160, l: 240 } as const;
type Query = NonNullable<paths["/api/v1/collection"]["get"]["parameters"]["query"]>;

/** Every item that matches, page by page (a collection is browsed whole). */
async function everything(query: Query) {
  const first = await ok(api.GET("/api/v1/collection", { params: { query: { ...query, limit: PAGE } } }));
  const items = [...first.items];
  let cursor = first.next_cursor;
  while (cursor) {
    const next = await ok(api.GET("/api/v1/collection", { params: { query: { ...query, limit: PAGE, cursor } } }));
    items.push(...next.items);
    cursor = next.next_cursor;
  }
  return { items };
}

/** Browse by covers (S/M/L): only the rows near the viewport are in the page; covers load
 * lazily. */
export default function Collection() {
  const live = useLive();
  const { folder } = useFolder();
  const [size, setSize] = createSignal<"s" | "m" | "l">((localStorage.getItem("kleio.grid") as "s" | "m" | "l") || "m");
  const [sort, setSort] = createSignal<NonNullable<Sort>>("artist");
  const [genres, setGenres] = createSignal<string[]>([]);
  const [typed, setTyped] = createSignal("");
  const [q, setQ] = createSignal("");
  let debounce: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(debounce));
  const [allGenres] = createResource(() => ok(api.GET("/api/v1/genres")));
  const [page, { refetch }] = createResource(
    () => ({ q: q() || undefined, sort: q() ? undefined : sort(), genre: genres(), folder_id: folder() || undefined, v: live.version("collection_item", "play", "cleaning") }),
    ({ v: _v, ...query }) => everything(query),
  );
  const chooseSize = (value: "s" | "m" | "l") => {
    localStorage.setItem("kleio.grid", value);
    setSize(value);
  };
  return (
    <section aria-labelledby="collection-title">
      <div class="toolbar">
        <h1 id="collection-title">Collection</h1>
        <label class="search"><span class="sr-only">Search the collection</span>
          <input type="search" placeholder="Search…" value={typed()} onInput={(e) => { const v = e.currentTarget.value; setTyped(v); clearTimeout(debounce); debounce = setTimeout(() => setQ(v), 200); }} />
        </label>
        <label><span class="sr-only">Sort by</span>
          <select value={sort()} onChange={(e) => setSort(e.currentTarget.value as NonNullable<Sort>)}>
            <option value="artist">Artist</option><option value="album">Album</option><option value="year">Year</option><option value="added">Date added</option>
          </select>
        </label>
        <ChipFilter label="Genre" options={allGenres() ?? []} value={genres()} onChange={setGenres} />
        <div class="segmented" role="group" aria-label="Cover size">
          <For each={["s", "m", "l"] as const}>
            {(value) => <button type="button" aria-pressed={size() === value} onClick={() => chooseSize(value)}>{value.toUpperCase()}</button>}
          </For>
        </div>
        <FolderSelect />
      </div>
      <Show when={!page.error} fallback={<Failed error={page.error} retry={refetch} />}>
        <Show when={page.latest} fallback={<Loading what="your collection" />}>
          <Show when={page.latest!.items.length > 0} fallback={<Empty><p>No records here. Import your collection in <A href="/settings">Settings</A>, or clear the search and filters.</p></Empty>}>
            <p class="count">{page.latest!.items.length} records</p>
            <VirtualGrid
              items={page.latest!.items}
              minTileWidth={TILE_WIDTH[size()]}
              textHeight={size() === "s" ? 64 : 72}
              label="Covers"
              class={`grid-${size()}`}
            >
              {(item) => (
                <li class="tile">
                  <TrackPeek releaseId={item.release_id}>
                    {(describedBy) => (
                      <A href={`/record/${item.instance_id}`} class="tile-link" aria-describedby={describedBy()}>
                        <Cover url={size() === "s" ? item.release?.thumb_url : item.release?.cover_url || item.release?.thumb_url} size={size()} alt="" />
                        <span class="tile-title">{item.release?.title ?? `Release ${item.release_id}`}</span>
                      </A>
                    )}
                  </TrackPeek>
                  <span class="muted tile-sub">{displayArtist(item.artist ?? "")}{item.release?.year ? ` · ${item.release.year}` : ""}</span>
                  <StatusDots status={item.status} />
                </li>
              )}
            </VirtualGrid>
            <DiscogsAttribution />
          </Show>
        </Show>
      </Show>
    </section>
  );
}
