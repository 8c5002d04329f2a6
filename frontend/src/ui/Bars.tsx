import { For } from "solid-js";

/** The smallest 1/2/5 × 10ⁿ at or above ``value`` (a round top for an axis). */
export function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Indices of about ``count`` evenly spread labels, the first and the last included. */
export function tickIndices(length: number, count: number): number[] {
  if (length <= 0) return [];
  if (length <= count) return Array.from({ length }, (_, i) => i);
  const step = (length - 1) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

/** A bar chart in SVG (no chart library: the budget is for the collection, not for axes),
 * with a y axis (0, half, a round top; ``unit`` divides values before rounding, e.g. 3600 for
 * hours), gridlines and x labels. The numbers are in a visually hidden table for screen
 * readers. */
export function Bars(props: {
  title: string;
  points: { label: string; value: number }[];
  format: (v: number) => string;
  tick?: (v: number) => string;
  unit?: number;
  xTitle: string;
  yTitle: string;
}) {
  const unit = () => props.unit ?? 1;
  const top = () => niceCeil(Math.max(0, ...props.points.map((p) => p.value)) / unit()) * unit();
  const width = () => Math.max(1, props.points.length);
  const tick = (v: number) => (props.tick ?? props.format)(v);
  const xLabels = () => tickIndices(props.points.length, props.points.length > 60 ? 4 : 5).map((i) => props.points[i]!.label);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div class="plot" aria-hidden="true">
        <span class="axis-title y-title">{props.yTitle}</span>
        <div class="y-ticks">
          <span>{tick(top())}</span>
          <span>{tick(top() / 2)}</span>
          <span>{tick(0)}</span>
        </div>
        <svg viewBox={`0 0 ${width() * 10} 100`} preserveAspectRatio="none" class="bars">
          <line class="grid-line" x1="0" x2={width() * 10} y1="0.5" y2="0.5" />
          <line class="grid-line" x1="0" x2={width() * 10} y1="50" y2="50" />
          <line class="axis-line" x1="0" x2={width() * 10} y1="99.5" y2="99.5" />
          <For each={props.points}>
            {(p, i) => <rect x={i() * 10 + 1} width={8} y={100 - (p.value / top()) * 100} height={(p.value / top()) * 100} />}
          </For>
        </svg>
        <div class="x-ticks">
          <For each={xLabels()}>{(label) => <span>{label}</span>}</For>
        </div>
        <span class="axis-title x-title">{props.xTitle}</span>
      </div>
      {/* hidden in a div: a table keeps its content's height whatever its own, and would
          lengthen the page */}
      <div class="sr-only">
      <table>
        <caption>{props.title}</caption>
        <thead><tr><th scope="col">{props.xTitle}</th><th scope="col">{props.yTitle}</th></tr></thead>
        <tbody>
          <For each={props.points}>{(p) => <tr><th scope="row">{p.label}</th><td>{props.format(p.value)}</td></tr>}</For>
        </tbody>
      </table>
      </div>
    </figure>
  );
}

/** Horizontal shares (distribution by genre / artist / album). */
export function Shares(props: { title: string; rows: { label: string; value: number }[]; format: (v: number) => string }) {
  const max = () => Math.max(1, ...props.rows.map((r) => r.value));
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <ol class="shares">
        <For each={props.rows}>
          {(r) => (
            <li>
              <span class="share-label" title={r.label}>{r.label}</span>
              <span class="share-bar" aria-hidden="true"><span style={{ width: `${(r.value / max()) * 100}%` }} /></span>
              <span class="share-value">{props.format(r.value)}</span>
            </li>
          )}
        </For>
      </ol>
    </figure>
  );
}
