import { For } from "solid-js";

/** A bar chart in SVG (no chart library: the budget is for the collection, not for axes).
 * The numbers are in a visually hidden table for screen readers. */
export function Bars(props: { title: string; points: { label: string; value: number }[]; format: (v: number) => string }) {
  const max = () => Math.max(1, ...props.points.map((p) => p.value));
  const width = () => Math.max(1, props.points.length);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width() * 10} 100`} preserveAspectRatio="none" aria-hidden="true" class="bars">
        <For each={props.points}>
          {(p, i) => <rect x={i() * 10 + 1} width={8} y={100 - (p.value / max()) * 100} height={(p.value / max()) * 100} />}
        </For>
      </svg>
      <div class="chart-axis" aria-hidden="true">
        <span>{props.points[0]?.label ?? ""}</span>
        <span>max {props.format(max())}</span>
        <span>{props.points[props.points.length - 1]?.label ?? ""}</span>
      </div>
      <table class="sr-only">
        <caption>{props.title}</caption>
        <tbody>
          <For each={props.points}>{(p) => <tr><th>{p.label}</th><td>{props.format(p.value)}</td></tr>}</For>
        </tbody>
      </table>
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
              <span class="share-label">{r.label}</span>
              <span class="share-bar" aria-hidden="true"><span style={{ width: `${(r.value / max()) * 100}%` }} /></span>
              <span class="share-value">{props.format(r.value)}</span>
            </li>
          )}
        </For>
      </ol>
    </figure>
  );
}
