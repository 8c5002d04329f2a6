import { createResource, For } from "solid-js";
import { api, ok, type Schemas } from "../api/client";
import { useLive } from "../providers/live";

/** The user's styluses with their wear, refetched when a stylus or a play changes. */
export function useStyluses() {
  const live = useLive();
  const [styluses, { refetch }] = createResource(
    () => live.version("stylus", "play"),
    () => ok(api.GET("/api/v1/styluses")),
  );
  return { styluses, refetch };
}

/** Active styluses (primary first) for a play, or none (PRODUCT §4.5). */
export function StylusSelect(props: {
  id: string;
  styluses: Schemas["StylusOut"][];
  value: string;
  onChange: (value: string) => void;
}) {
  const choices = () =>
    props.styluses
      .filter((s) => (s.active ?? true) && !s.retired)
      .sort((a, b) => Number(b.primary ?? false) - Number(a.primary ?? false));
  return (
    <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">No stylus</option>
      <For each={choices()}>
        {(s) => (
          <option value={s.id}>
            {s.name}
            {s.primary ? " (primary)" : ""}
          </option>
        )}
      </For>
    </select>
  );
}
