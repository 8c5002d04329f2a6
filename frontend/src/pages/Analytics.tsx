import { createResource, createSignal, Show } from "solid-js";
import { api, ok } from "../api/client";
import type { paths } from "../api/schema";
import { browserTimeZone, formatDuration } from "../data/time";
import { useLive } from "../providers/live";
import { Bars, Shares } from "../ui/Bars";
import { Empty, Failed, Loading } from "../ui/common";

type Series = NonNullable<paths["/api/v1/analytics/series"]["get"]["parameters"]["query"]>;
type Dist = NonNullable<paths["/api/v1/analytics/distribution"]["get"]["parameters"]["query"]>;
const day = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

export default function Analytics() {
  const live = useLive();
  const [period, setPeriod] = createSignal<NonNullable<Series["period"]>>("30d");
  const [group, setGroup] = createSignal<NonNullable<Series["group"]>>("day");
  const [by, setBy] = createSignal<NonNullable<Dist["by"]>>("genre");
  const [top, setTop] = createSignal(10);
  const tz = browserTimeZone();
  const [series, { refetch }] = createResource(
    () => ({ period: period(), group: group(), tz, v: live.version("play") }),
    ({ v: _v, ...query }) => ok(api.GET("/api/v1/analytics/series", { params: { query } })),
  );
  const [plays] = createResource(
    () => ({ period: period(), by: by(), top: top(), measure: "plays" as const, tz, v: live.version("play") }),
    ({ v: _v, ...query }) => ok(api.GET("/api/v1/analytics/distribution", { params: { query } })),
  );
  const [time] = createResource(
    () => ({ period: period(), by: by(), top: top(), measure: "seconds" as const, tz, v: live.version("play") }),
    ({ v: _v, ...query }) => ok(api.GET("/api/v1/analytics/distribution", { params: { query } })),
  );
  const points = (measure: "plays" | "seconds") =>
    (series.latest?.buckets ?? []).map((b) => ({ label: day.format(new Date(b.start + "T12:00:00")), value: measure === "plays" ? b.plays : b.seconds }));

  return (
    <section aria-labelledby="analytics-title">
      <div class="toolbar">
        <h1 id="analytics-title">Analytics</h1>
        <label><span class="sr-only">Period</span>
          <select value={period()} onChange={(e) => setPeriod(e.currentTarget.value as NonNullable<Series["period"]>)}>
            <option value="7d">7 days</option><option value="30d">30 days</option><option value="90d">90 days</option>
            <option value="1y">1 year</option><option value="all">All time</option>
          </select>
        </label>
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
      <Show when={!series.error} fallback={<Failed error={series.error} retry={refetch} />}>
        <Show when={series.latest} fallback={<Loading what="analytics" />}>
          <p class="numbers-line">
            <strong>{series.latest!.total_plays}</strong> plays · <strong>{formatDuration(series.latest!.total_seconds)}</strong> of listening
          </p>
          <Show when={series.latest!.total_plays > 0} fallback={<Empty><p>No plays in this period yet. Log plays and they add up here.</p></Empty>}>
            <div class="charts">
              <Bars title="Plays over time" points={points("plays")} format={(v) => `${v} plays`} />
              <Bars title="Listening time" points={points("seconds")} format={formatDuration} />
              <Shares title="By plays" rows={(plays.latest ?? []).map((s) => ({ label: s.label, value: s.plays }))} format={(v) => `${v}`} />
              <Shares title="By listening time" rows={(time.latest ?? []).map((s) => ({ label: s.label, value: s.seconds }))} format={formatDuration} />
            </div>
          </Show>
        </Show>
      </Show>
    </section>
  );
}
