import { Show } from "solid-js";
import type { Schemas } from "../api/client";
import { COLOUR_NAMES, colourVar, type Colour } from "../data/status";

/** One PRODUCT §3 indicator as a coloured dot, with its band in words for everyone. */
export function Dot(props: { colour: Colour; label: string; kind: string }) {
  return (
    <span class="dot" title={`${props.kind}: ${props.label}`}>
      <span class="dot-swatch" style={{ background: colourVar(props.colour) }} aria-hidden="true" />
      <span class="sr-only">
        {props.kind}: {props.label} ({COLOUR_NAMES[props.colour]})
      </span>
    </span>
  );
}

export function StatusDots(props: { status: Schemas["StatusOut"] }) {
  return (
    <span class="dots">
      <Dot kind="Played" colour={props.status.recency.colour} label={props.status.recency.label} />
      <Dot
        kind="Cleanliness"
        colour={props.status.cleanliness.colour}
        label={props.status.cleanliness.label}
      />
    </span>
  );
}

/** Stylus wear: remaining life as a bar coloured by PRODUCT §3, with the hours left. */
export function WearBar(props: { wear: Schemas["WearOut"]; name: string }) {
  const percent = () => Math.round(props.wear.percent);
  return (
    <div class="wear">
      <div
        class="wear-track"
        role="meter"
        aria-label={`${props.name}: life remaining`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent()}
        aria-valuetext={`${percent()} % left`}
      >
        <div
          class="wear-fill"
          style={{ width: `${Math.max(0, Math.min(100, props.wear.percent))}%`, background: colourVar(props.wear.colour) }}
        />
      </div>
      <span class="wear-text">
        {percent()} % left
        <Show when={props.wear.remaining_hours !== null}>
          {" · "}
          {Math.round(props.wear.remaining_hours ?? 0)} h of life
        </Show>
        {" · "}
        {props.wear.hours_used.toFixed(1)} h used
      </span>
    </div>
  );
}
