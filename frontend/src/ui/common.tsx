import { createEffect, Show, type JSX, type ParentProps } from "solid-js";

/** A cover image (Discogs hosts it) or a neutral placeholder. */
export function Cover(props: { url?: string | null; size?: "s" | "m" | "l"; alt?: string }) {
  return (
    <Show
      when={props.url}
      fallback={<div class={`cover cover-${props.size ?? "s"} cover-empty`} aria-hidden="true" />}
    >
      <img
        class={`cover cover-${props.size ?? "s"}`}
        src={props.url!}
        alt={props.alt ?? ""}
        loading="lazy"
        decoding="async"
        referrerpolicy="no-referrer"
      />
    </Show>
  );
}

/** "Data provided by Discogs", next to the data it came with (Discogs' terms). */
export function DiscogsAttribution() {
  return (
    <p class="attribution">
      Data provided by{" "}
      <a href="https://www.discogs.com/" target="_blank" rel="noopener noreferrer">
        Discogs
      </a>
    </p>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="state state-loading" role="status">
      Loading {props.what}…
    </p>
  );
}

export function Failed(props: { error: unknown; retry: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <p>{props.error instanceof Error ? props.error.message : String(props.error)}</p>
      <button type="button" onClick={() => props.retry()}>
        Try again
      </button>
    </div>
  );
}

export function Empty(props: ParentProps) {
  return <div class="state state-empty">{props.children}</div>;
}

/** A modal question (every destructive action asks first). */
export function Confirm(props: {
  open: boolean;
  title: string;
  children: JSX.Element;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  let dialog!: HTMLDialogElement;
  createEffect(() => {
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  });
  return (
    <dialog ref={dialog} class="confirm" aria-labelledby="confirm-title" onClose={() => props.onCancel()}>
      <h2 id="confirm-title">{props.title}</h2>
      <div>{props.children}</div>
      <div class="actions">
        <button type="button" onClick={() => props.onCancel()}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={() => props.onConfirm()}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
