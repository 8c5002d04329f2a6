import { A } from "@solidjs/router";
import type { Schemas } from "../api/client";
import { quickPlay } from "../data/actions";
import { displayArtist } from "../data/status";
import { ago } from "../data/time";
import { useLive } from "../providers/live";
import { attempt, useToasts } from "../providers/toasts";
import { Cover } from "./common";

export function SuggestedCard(props: { record: Schemas["SuggestedRecord"] }) {
  const live = useLive();
  const notify = useToasts();
  return (
    <li class="card suggestion">
      <Cover url={props.record.cover_url || props.record.thumb_url} size="m" alt="" />
      <div class="record-text">
        <A class="record-title" href={`/record/${props.record.instance_id}`}>{props.record.title}</A>
        <span class="muted">
          {displayArtist(props.record.artist)}
          {props.record.year ? ` · ${props.record.year}` : ""}
        </span>
        <span class="muted">
          {props.record.plays === 0
            ? "Never played"
            : `${props.record.plays} play${props.record.plays === 1 ? "" : "s"} · last ${ago(props.record.last_played_at)}`}
        </span>
        <button
          type="button"
          class="primary"
          onClick={() =>
            attempt(notify, () => quickPlay(props.record.release_id), `Logged a play of ${props.record.title}`).then(
              (done) => done && live.touched("play"),
            )
          }
        >
          Play<span class="sr-only"> {props.record.title}</span>
        </button>
      </div>
    </li>
  );
}
