// A record's tracklist on hover or keyboard focus (PRODUCT §4.3): fetched once per release
// after a short pause (a pointer passing over a grid asks for nothing), kept for the tab.
import { createSignal, For, onCleanup, Show, type JSX } from "solid-js";
import { Portal } from "solid-js/web";
import { api, ok, type Schemas } from "../api/client";

const DELAY_MS = 350;
const cache = new Map<number, Promise<Schemas["Release"]>>();

function release(id: number): Promise<Schemas["Release"]> {
  let found = cache.get(id);
  if (!found) {
    found = ok(api.GET("/api/v1/releases/{release_id}", { params: { path: { release_id: id } } }));
    found.catch(() => cache.delete(id));
    cache.set(id, found);
  }
  return found;
}

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;

let nextId = 1;
/** One tracklist at a time: the last one asked for (hover and focus may be on two tiles). */
const [current, setCurrent] = createSignal<string | null>(null);

/** Wraps a tile: shows the tracklist beside it while the pointer rests on it or it has focus. */
export function TrackPeek(props: { releaseId: number; children: (describedBy: () => string | undefined) => JSX.Element }) {
  const id = `peek-${nextId++}`;
  const [shown, setShown] = createSignal<Schemas["Release"] | null>(null);
  const [open, setOpen] = createSignal(false);
  const [place, setPlace] = createSignal({ top: 0, left: 0 });
  let anchor!: HTMLDivElement;
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const show = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      // beside the tile, on the side with room (the grid is transformed: the popup lives in body)
      const box = anchor.getBoundingClientRect();
      const width = Math.min(280, window.innerWidth * 0.8);
      const right = box.right + 8 + width <= window.innerWidth;
      setPlace({
        top: Math.max(8, Math.min(box.top, window.innerHeight - 330)),
        left: right ? box.right + 8 : Math.max(8, box.left - 8 - width),
      });
      setOpen(true);
      setCurrent(id);
      release(props.releaseId).then(setShown, () => setOpen(false));
    }, DELAY_MS);
  };
  const visible = () => open() && shown() !== null && current() === id;
  const hide = () => {
    clearTimeout(timer);
    setOpen(false);
  };
  return (
    <div
      class="peek-anchor"
      ref={anchor}
      onMouseEnter={show}
      onMouseLeave={hide}
      onFocusIn={show}
      onFocusOut={hide}
      onKeyDown={(e) => e.key === "Escape" && hide()}
    >
      {props.children(() => (visible() ? id : undefined))}
      <Show when={visible() && shown()}>
        {(r) => (
          <Portal>
          <div class="peek" role="tooltip" id={id} style={{ top: `${place().top}px`, left: `${place().left}px` }}>
            <Show when={r().tracks?.length} fallback={<p class="muted">No tracklist yet.</p>}>
              <ol class="tracks">
                <For each={r().tracks!.slice(0, 24)}>
                  {(t) => (
                    <li>
                      <span class="pos">{t.position}</span> {t.title}
                      <Show when={t.duration_text || t.seconds}> <span class="muted">{t.duration_text || clock(t.seconds!)}</span></Show>
                    </li>
                  )}
                </For>
              </ol>
              <Show when={r().tracks!.length > 24}><p class="muted">and {r().tracks!.length - 24} more</p></Show>
            </Show>
          </div>
          </Portal>
        )}
      </Show>
    </div>
  );
}
