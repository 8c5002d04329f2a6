import { createMemo, createSignal, For, onCleanup, onMount, type JSX } from "solid-js";

/** A grid of square-cover tiles that renders only the rows near the viewport (a collection
 * can hold thousands of records). Rows have one height, from the tile width the container
 * allows; the page itself scrolls. */
export function VirtualGrid<T>(props: {
  items: T[];
  minTileWidth: number;
  textHeight: number;
  label: string;
  class?: string;
  children: (item: T) => JSX.Element;
}) {
  const GAP = 12; // as .virtual-grid .grid in styles.css (a static style attribute would break the CSP)
  const ROW_GAP = 16;
  const OVERSCAN_ROWS = 3;
  let container!: HTMLDivElement;
  const [width, setWidth] = createSignal(1024);
  const [offset, setOffset] = createSignal(0); // how far the page has scrolled past the grid's top
  const [viewport, setViewport] = createSignal(typeof window === "undefined" ? 900 : window.innerHeight);

  const columns = createMemo(() => Math.max(1, Math.floor((width() + GAP) / (props.minTileWidth + GAP))));
  const tileWidth = createMemo(() => (width() - GAP * (columns() - 1)) / columns());
  const rowHeight = createMemo(() => tileWidth() + props.textHeight + ROW_GAP);
  const rows = createMemo(() => Math.ceil(props.items.length / columns()));
  const first = createMemo(() => Math.max(0, Math.floor(offset() / rowHeight()) - OVERSCAN_ROWS));
  const last = createMemo(() =>
    Math.min(rows(), Math.ceil((offset() + viewport()) / rowHeight()) + OVERSCAN_ROWS),
  );
  const visible = createMemo(() => props.items.slice(first() * columns(), last() * columns()));

  onMount(() => {
    let frame = 0;
    const measure = () => {
      frame = 0;
      setWidth(container.clientWidth || 1024);
      setOffset(Math.max(0, -container.getBoundingClientRect().top));
      setViewport(window.innerHeight);
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    const observer = new ResizeObserver(schedule);
    observer.observe(container);
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    measure();
    onCleanup(() => {
      observer.disconnect();
      window.removeEventListener("scroll", schedule);
      window.removeEventListener("resize", schedule);
      cancelAnimationFrame(frame);
    });
  });

  return (
    <div
      ref={container}
      class="virtual-grid"
      style={{ height: `${Math.max(0, rows() * rowHeight() - ROW_GAP)}px` }}
    >
      <ul
        class={`grid ${props.class ?? ""}`}
        aria-label={props.label}
        data-total={props.items.length}
        style={{
          transform: `translateY(${first() * rowHeight()}px)`,
          "grid-template-columns": `repeat(${columns()}, minmax(0, 1fr))`,
          "grid-auto-rows": `${rowHeight() - ROW_GAP}px`,
        }}
      >
        <For each={visible()}>{props.children}</For>
      </ul>
    </div>
  );
}
