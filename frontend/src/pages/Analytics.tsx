import { useSearchParams } from "@solidjs/router";
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { api, ok } from "../api/client";
import type { paths } from "../api/schema";
import { browserTimeZone, formatDuration } from "../data/time";
import { useLive } from "../providers/live";
import { Bars, Shares } from "../ui/Bars";
import { Empty, Failed, Loading } from "../ui/common";

type Series = NonNullable<paths["/api/v1/analytics/series"]["get"]["parameters"]["query"]>;
type Dist = NonNullable<paths["/api/v1/analytics/distribution"]["get"]["parameters"]["query"]>;
type Period = NonNullable<Series["period"]>;
const day = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const month = new Intl.DateTimeFormat(undefined, { month: "short", year: "2-digit" });
const hours = (seconds: number) => `${(seconds / 3600).toFixed(seconds && seconds < 36_000 ? 1 : 0)} h`;
const today = () => new Date().toLocaleDateString("en-CA"); // YYYY-MM-DD, local

/** Plays and listening time over a period (or custom dates), for everything or one record,
 * artist or genre; the filters live in the address, so a record page can link here. */
export default function Analytics() {
  const live = useLive();
  const [params, setParams] = useSearchParams<{ period?: string; start?: string; end?: string; release_id?: string; title?: string; artist?: string; genre?: string }>();
  const [group, setGroup] = createSignal<NonNullable<Series["group"]>>("day");
  const [by, setBy] = createSignal<NonNullable<Dist["by"]>>("genre");
  const [top, setTop] = createSignal(10);
  const [typedArtist, setTypedArtist] = createSignal(params.artist ?? "");
  let debounce: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(debounce));
  const tz = browserTimeZone();
  const [genres] = createResource(() => ok(api.GET("/api/v1/genres")));

  const period = () => (params.period as Period) || "30d";
  const scope = () => {
    const custom = period() === "custom";
    return {
      period: period(),
      start: custom && params.start ? params.start : undefined,
      end: custom && params.end ? params.end : undefined,
      release_id: params.release_id ? Number(params.release_id) : undefined,
      artist: params.artist || undefined,
      genre: params.genre || undefined,
      tz,
    };
  };
  const [series, { refetch }] = createResource(
    () => ({ ...scope(), group: group(), v: live.version("play") }),
    ({ v: _v, ...query }) => ok(api.GET("/api/v1/analytics/series", { params: { query } })),
  );
  const [plays] = createResource(
    () => ({ ...scope(), by: by(), top: top(), measure: "plays" as const, v: live.version("play") }),
    ({ v: _v, ...query }) => ok(api.GET("/api/v1/analytics/distribution", { params: { query } })),
  );
  const [time] = createResource(
    () => ({ ...scope(), by: by(), top: top(), measure: "seconds" as const, v: live.version("play") }),
    ({ v: _v, ...query }) => ok(api.GET("/api/v1/analytics/distribution", { params: { query } })),
  );
  const label = (start: string) => (group() === "month" ? month : day).format(new Date(start + "T12:00:00"));
  const points = (measure: "plays" | "seconds") =>
    (series.latest?.buckets ?? []).map((b) => ({ label: label(b.start), value: measure === "plays" ? b.plays : b.seconds }));
  const xTitle = () => (group() === "day" ? "Day" : group() === "week" ? "Week (from Monday)" : "Month");
  const filtered = () => Boolean(params.release_id || params.artist || params.genre);

  return (
    <section aria-labelledby="analytics-title">
      <div class="toolbar">
        <h1 id="analytics-title">Analytics</h1>
        <label><span class="sr-only">Period</span>
          <select value={period()} onChange={(e) => {
            const value = e.currentTarget.value;
            setParams(value === "custom" ? { period: value, start: params.start ?? today().slice(0, 8) + "01", end: params.end ?? today() } : { period: value, start: undefined, end: undefined }, { replace: true });
          }}>
            <option value="7d">7 days</option><option value="30d">30 days</option><option value="90d">90 days</option>
            <option value="1y">1 year</option><option value="all">All time</option><option value="custom">Custom dates…</option>
          </select>
        </label>
        <Show when={period() === "custom"}>
          <label class="date-field">From <input type="date" value={params.start ?? ""} max={params.end || today()} onChange={(e) => setParams({ start: e.currentTarget.value || undefined }, { replace: true })} /></label>
          <label class="date-field">to <input type="date" value={params.end ?? ""} min={params.start} max={today()} onChange={(e) => setParams({ end: e.currentTarget.value || undefined }, { replace: true })} /></label>
        </Show>
        <label><span class="sr-only">Group</span>
          <select value={group()} onChange={(e) => setGroup(e.currentTarget.value as NonNullable<Series["group"]>)}>
            <option value="day">Daily</option><option value="week">Weekly</option><option value="month">Monthly</option>
          </select>
        </label>
        <label><span class="sr-only">Distribution by</span>
          <select value={by()} onChange={(e) => setBy(e.currentTarget.value as NonNullable<Dist["by"]>)}>
            <option value="genre">By genre</option><option value="artist">By artist</option><option value="album">By album</option>
          </select>
        </label>
        <label><span class="sr-only">Top</span>
          <select value={top()} onChange={(e) => setTop(Number(e.currentTarget.value))}>
            {[5, 10, 15, 20, 50].map((n) => <option value={n}>Top {n}</option>)}
          </select>
        </label>
      </div>
      <div class="toolbar filters" role="group" aria-label="Only the plays of">
        <label><span class="sr-only">Genre</span>
          <select value={params.genre ?? ""} onChange={(e) => setParams({ genre: e.currentTarget.value || undefined }, { replace: true })}>
            <option value="">Every genre</option>
            <For each={genres() ?? []}>{(g) => <option value={g}>{g}</option>}</For>
          </select>
        </label>
        <label class="search"><span class="sr-only">Artist</span>
          <input type="search" placeholder="Artist (exact name)…" value={typedArtist()} onInput={(e) => {
            const value = e.currentTarget.value;
            setTypedArtist(value);
            clearTimeout(debounce);
            debounce = setTimeout(() => setParams({ artist: value.trim() || undefined }, { replace: true }), 300);
          }} />
        </label>
        <Show when={params.release_id}>
          <button type="button" class="chip" onClick={() => setParams({ release_id: undefined, title: undefined }, { replace: true })}>
            {params.title || `Release ${params.release_id}`} <span aria-hidden="true">×</span><span class="sr-only"> (show every record)</span>
          </button>
        </Show>
        <Show when={filtered()}>
          <button type="button" class="link" onClick={() => { setTypedArtist(""); setParams({ release_id: undefined, title: undefined, artist: undefined, genre: undefined }, { replace: true }); }}>Clear filters</button>
        </Show>
      </div>
      <Show when={!series.error} fallback={<Failed error={series.error} retry={refetch} />}>
        <Show when={series.latest} fallback={<Loading what="analytics" />}>
          <p class="numbers-line" aria-live="polite">
            <strong>{series.latest!.total_plays}</strong> plays · <strong>{formatDuration(series.latest!.total_seconds)}</strong> of listening
          </p>
          <Show when={series.latest!.total_plays > 0} fallback={<Empty><p>{filtered() ? "No plays match these filters in this period." : "No plays in this period yet. Log plays and they add up here."}</p></Empty>}>
            <div class="charts">
              <Bars title="Plays over time" points={points("plays")} format={(v) => `${v} plays`} tick={(v) => String(v)} xTitle={xTitle()} yTitle="Plays" />
              <Bars title="Listening time" points={points("seconds")} format={formatDuration} tick={hours} unit={3600} xTitle={xTitle()} yTitle="Hours" />
              <Shares title="By plays" rows={(plays.latest ?? []).map((s) => ({ label: s.label, value: s.plays }))} format={(v) => `${v}`} />
              <Shares title="By listening time" rows={(time.latest ?? []).map((s) => ({ label: s.label, value: s.seconds }))} format={formatDuration} />
            </div>
          </Show>
        </Show>
      </Show>
    </section>
  );
}
