import { createResource, createSignal, For, Show } from "solid-js";
import { api, ok, type Schemas } from "../api/client";
import { browserTimeZone } from "../data/time";
import { useLive } from "../providers/live";
import { DiscogsAttribution, Empty, Failed, Loading } from "../ui/common";
import { SuggestedCard } from "../ui/SuggestedCard";

export default function Suggestions() {
  const live = useLive();
  const [today, { refetch }] = createResource(
    () => live.version("play", "collection_item"),
    () => ok(api.GET("/api/v1/suggestions/today", { params: { query: { tz: browserTimeZone() } } })),
  );
  const [least] = createResource(
    () => live.version("play", "collection_item"),
    () => ok(api.GET("/api/v1/suggestions/least-played")),
  );
  const [picked, setPicked] = createSignal<{ title: string; records: Schemas["SuggestedRecord"][] } | null>(null);

  const suggest = async (count: number) =>
    setPicked({ title: count === 1 ? "Suggested for you" : "Three for you", records: (await ok(api.GET("/api/v1/suggestions/random", { params: { query: { count } } }))).records });
  const genre = async () => {
    const result = await ok(api.GET("/api/v1/suggestions/random-genre"));
    setPicked({ title: result.genre ? `All your ${result.genre}` : "No genre to pick from", records: result.records });
  };

  return (
    <section aria-labelledby="suggestions-title">
      <h1 id="suggestions-title">Suggestions</h1>
      <Show when={!today.error} fallback={<Failed error={today.error} retry={refetch} />}>
        <Show when={today.latest} fallback={<Loading what="suggestions" />}>
          <h2>Record of the day</h2>
          <Show when={today.latest!.record} fallback={<Empty><p>Import your collection to get a record of the day.</p></Empty>}>
            <ul class="cards"><SuggestedCard record={today.latest!.record!} /></ul>
          </Show>
        </Show>
      </Show>
      <div class="actions">
        <button type="button" onClick={() => void suggest(1)}>Suggest one</button>
        <button type="button" onClick={() => void suggest(3)}>Suggest three</button>
        <button type="button" onClick={() => void genre()}>Random genre</button>
      </div>
      <Show when={picked()}>
        <h2>{picked()!.title}</h2>
        <ul class="cards" aria-live="polite"><For each={picked()!.records}>{(r) => <SuggestedCard record={r} />}</For></ul>
      </Show>
      <h2>Least played</h2>
      <Show when={least.latest}>
        <ul class="cards"><For each={least.latest!.records}>{(r) => <SuggestedCard record={r} />}</For></ul>
      </Show>
      <DiscogsAttribution />
    </section>
  );
}
