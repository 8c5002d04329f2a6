import { A } from "@solidjs/router";
import { createResource, For, Show } from "solid-js";
import { api, ok } from "../api/client";
import { ARCHIVE_REASONS, displayArtist } from "../data/status";
import { formatDate } from "../data/time";
import { useLive } from "../providers/live";
import { attempt, useToasts } from "../providers/toasts";
import { Cover, DiscogsAttribution, Empty, Failed, Loading } from "../ui/common";


export default function Archive() {
  const live = useLive();
  const notify = useToasts();
  const [page, { refetch }] = createResource(
    () => live.version("collection_item", "play", "cleaning"),
    () => ok(api.GET("/api/v1/collection", { params: { query: { archived: true, limit: 500 } } })),
  );
  return (
    <section aria-labelledby="archive-title">
      <h1 id="archive-title">Archive</h1>
      <p class="muted">Archived records keep their history and still count in analytics.</p>
      <Show when={!page.error} fallback={<Failed error={page.error} retry={refetch} />}>
        <Show when={page.latest} fallback={<Loading what="the archive" />}>
          <Show when={page.latest!.items.length > 0} fallback={<Empty><p>Nothing archived. Archive a record from its page; records that leave your Discogs collection land here by themselves.</p></Empty>}>
            <ul class="records">
              <For each={page.latest!.items}>
                {(item) => (
                  <li class="record-row">
                    <Cover url={item.release?.thumb_url} />
                    <div class="record-text">
                      <A class="record-title" href={`/record/${item.instance_id}`}>{item.release?.title ?? `Release ${item.release_id}`}</A>
                      <span class="muted">{displayArtist(item.artist ?? "")}</span>
                      <span class="muted">{ARCHIVE_REASONS[item.archive_reason ?? "user"]} · {formatDate(item.archived_at)}</span>
                    </div>
                    <div class="quick">
                      <button type="button" onClick={() => attempt(notify, () => ok(api.POST("/api/v1/collection/{instance_id}/restore", { params: { path: { instance_id: item.instance_id } } })), "Record restored").then((d) => d && live.touched("collection_item"))}>
                        Restore<span class="sr-only"> {item.release?.title}</span>
                      </button>
                    </div>
                  </li>
                )}
              </For>
            </ul>
            <DiscogsAttribution />
          </Show>
        </Show>
      </Show>
    </section>
  );
}
