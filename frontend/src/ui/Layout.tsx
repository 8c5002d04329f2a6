import { A, useLocation } from "@solidjs/router";
import { createEffect, createResource, createSignal, For, Show, type ParentProps } from "solid-js";
import { api, ok } from "../api/client";
import { useFolder } from "../providers/folder";
import { useLive } from "../providers/live";
import { useSession } from "../providers/session";
import { useToasts } from "../providers/toasts";
import { ImportStatus } from "./discogs";

/** On a phone the first four views sit in a bottom bar, the rest behind "More". */
const ON_THE_BAR = 4;
const VIEWS: [string, string][] = [
  ["/", "Log"],
  ["/collection", "Collection"],
  ["/history", "History"],
  ["/styluses", "Styluses"],
  ["/suggestions", "Suggestions"],
  ["/analytics", "Analytics"],
  ["/archive", "Archive"],
  ["/settings", "Settings"],
];

export function FolderSelect() {
  const live = useLive();
  const { folder, setFolder } = useFolder();
  const [folders] = createResource(
    () => live.version("folder", "collection_item"),
    () => ok(api.GET("/api/v1/folders")),
  );
  return (
    <label class="folder-select">
      <span class="sr-only">Folder</span>
      <select value={folder()} onChange={(e) => setFolder(Number(e.currentTarget.value))}>
        <Show when={!(folders() ?? []).some((f) => f.id === 0)}>
          <option value={0}>All folders</option>
        </Show>
        <For each={folders() ?? []}>
          {(f) => (
            <option value={f.id}>
              {f.id === 0 ? "All folders" : f.name} ({f.count ?? 0})
            </option>
          )}
        </For>
      </select>
    </label>
  );
}

export function Layout(props: ParentProps) {
  const live = useLive();
  const { session, signOut } = useSession();
  const notify = useToasts();
  const location = useLocation();
  const [more, setMore] = createSignal(false);
  createEffect(() => {
    void location.pathname; // a view chosen: the "More" sheet closes
    setMore(false);
  });
  const inMore = () => VIEWS.slice(ON_THE_BAR).some(([href]) => location.pathname.startsWith(href));
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <A href="/" class="brand" end>
          Kleio
        </A>
        <nav aria-label="Views" class="views">
          <For each={VIEWS}>
            {([href, label]) => (
              <A href={href} end={href === "/"} activeClass="active">
                {label}
              </A>
            )}
          </For>
        </nav>
        <div class="top-right">
          <span class={live.online() ? "live live-on" : "live live-off"} role="status">
            {live.online() ? "Live" : "Offline — reconnecting…"}
          </span>
          <button
            type="button"
            class="link"
            onClick={() => signOut().catch((e: Error) => notify.error(e.message))}
            title={session()?.user?.name ?? session()?.user?.subject ?? ""}
          >
            Sign out
          </button>
        </div>
      </header>
      <ImportStatus />
      <main id="main" tabindex="-1">
        {props.children}
      </main>
      <nav aria-label="Views" class="bottom-nav" onKeyDown={(e) => e.key === "Escape" && setMore(false)}>
        <For each={VIEWS.slice(0, ON_THE_BAR)}>
          {([href, label]) => (
            <A href={href} end={href === "/"} activeClass="active">
              {label}
            </A>
          )}
        </For>
        <button type="button" class={inMore() ? "active" : ""} aria-expanded={more()} aria-controls="more-views" onClick={() => setMore(!more())}>
          More
        </button>
        <Show when={more()}>
          <ul id="more-views" class="more-sheet">
            <For each={VIEWS.slice(ON_THE_BAR)}>
              {([href, label]) => (
                <li>
                  <A href={href} activeClass="active">
                    {label}
                  </A>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </nav>
    </div>
  );
}
