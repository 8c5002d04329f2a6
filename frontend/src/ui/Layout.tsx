import { A, useLocation } from "@solidjs/router";
import { createEffect, createResource, For, Show, type ParentProps } from "solid-js";
import { api, ok } from "../api/client";
import { useFolder } from "../providers/folder";
import { useLive } from "../providers/live";
import { useSession } from "../providers/session";
import { useToasts } from "../providers/toasts";
import { ImportStatus } from "./discogs";

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
  let nav!: HTMLElement;
  createEffect(() => {
    void location.pathname; // on a phone the views scroll sideways: keep the current one in sight
    queueMicrotask(() => nav.querySelector(".active")?.scrollIntoView({ block: "nearest", inline: "nearest" }));
  });
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <A href="/" class="brand" end>
          Kleio
        </A>
        <nav aria-label="Views" class="views" ref={nav}>
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
    </div>
  );
}
