// A multi-choice filter as a button with a popover of checkboxes, the choices shown as
// removable chips (a native multiple <select> reads "0 selected" and is unusable on a phone).
import { createSignal, For, onCleanup, onMount, Show } from "solid-js";

let nextId = 1;

export function ChipFilter(props: { label: string; options: string[]; value: string[]; onChange: (value: string[]) => void }) {
  const id = `filter-${nextId++}`;
  const [open, setOpen] = createSignal(false);
  let root!: HTMLDivElement;
  let button!: HTMLButtonElement;
  const toggle = (option: string, on: boolean) =>
    props.onChange(on ? [...props.value, option] : props.value.filter((v) => v !== option));
  const away = (event: Event) => {
    if (open() && !root.contains(event.target as Node)) setOpen(false);
  };
  onMount(() => document.addEventListener("pointerdown", away));
  onCleanup(() => document.removeEventListener("pointerdown", away));
  return (
    <div class="chip-filter" ref={root} onKeyDown={(e) => { if (e.key === "Escape" && open()) { setOpen(false); button.focus(); } }}>
      <button type="button" ref={button} aria-expanded={open()} aria-controls={id} onClick={() => setOpen(!open())}>
        {props.label}{props.value.length ? ` (${props.value.length})` : ""} <span aria-hidden="true">▾</span>
      </button>
      <For each={props.value}>
        {(chosen) => (
          <button type="button" class="chip" onClick={() => toggle(chosen, false)}>
            {chosen} <span aria-hidden="true">×</span><span class="sr-only"> (remove the {props.label.toLowerCase()} filter)</span>
          </button>
        )}
      </For>
      <Show when={open()}>
        <fieldset class="popover" id={id}>
          <legend class="sr-only">Filter by {props.label.toLowerCase()}</legend>
          <Show when={props.options.length} fallback={<p class="muted">Nothing to filter by yet.</p>}>
            <For each={props.options}>
              {(option) => (
                <label class="check">
                  <input type="checkbox" checked={props.value.includes(option)} onChange={(e) => toggle(option, e.currentTarget.checked)} /> {option}
                </label>
              )}
            </For>
          </Show>
          <Show when={props.value.length}>
            <button type="button" class="link" onClick={() => props.onChange([])}>Clear</button>
          </Show>
        </fieldset>
      </Show>
    </div>
  );
}
