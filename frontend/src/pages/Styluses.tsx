import { createResource, createSignal, For, Show } from "solid-js";
import { api, ok, type Schemas } from "../api/client";
import { useLive } from "../providers/live";
import { attempt, useToasts } from "../providers/toasts";
import { Confirm, Empty, Failed, Loading } from "../ui/common";
import { WearBar } from "../ui/status";
import { useStyluses } from "../ui/stylus";

type Stylus = Schemas["StylusOut"];

export default function Styluses() {
  const live = useLive();
  const notify = useToasts();
  const { styluses, refetch } = useStyluses();
  const [catalogue] = createResource(() => ok(api.GET("/api/v1/stylus-catalogue")));
  const [deleting, setDeleting] = createSignal<Stylus | null>(null);
  const [editing, setEditing] = createSignal<Stylus | null>(null);
  const [name, setName] = createSignal("");
  const [maker, setMaker] = createSignal("");
  const [hours, setHours] = createSignal("1000");

  const groups = () => {
    const all = styluses() ?? [];
    return [
      ["Active", all.filter((s) => s.active && !s.retired).sort((a, b) => Number(b.primary) - Number(a.primary))],
      ["Inactive", all.filter((s) => !s.active && !s.retired)],
      ["Retired", all.filter((s) => s.retired)],
    ] as [string, Stylus[]][];
  };

  const change = (stylus: Stylus, body: Schemas["StylusPatch"], message: string) =>
    attempt(notify, () => ok(api.PATCH("/api/v1/styluses/{stylus_id}", { params: { path: { stylus_id: stylus.id } }, body })), message).then(
      (done) => done && live.touched("stylus"),
    );

  async function add(event: SubmitEvent) {
    event.preventDefault();
    const lifespan = Number(hours());
    const done = await attempt(
      notify,
      () =>
        ok(api.POST("/api/v1/styluses", {
          body: { name: name().trim(), manufacturer: maker().trim(), lifespan_hours: lifespan > 0 ? lifespan : null, active: true },
        })),
      `Added ${name().trim()}`,
    );
    if (done) {
      setName("");
      setMaker("");
      live.touched("stylus");
    }
  }

  function fromTemplate(index: string) {
    const template = catalogue()?.[Number(index)];
    if (!template) return;
    setName(`${template.manufacturer} ${template.model}`);
    setMaker(template.manufacturer);
    setHours(String(template.lifespan_hours));
  }

  return (
    <section aria-labelledby="styluses-title">
      <h1 id="styluses-title">Styluses</h1>
      <Show when={!styluses.error} fallback={<Failed error={styluses.error} retry={refetch} />}>
        <Show when={styluses.latest} fallback={<Loading what="styluses" />}>
          <Show when={styluses.latest!.length > 0} fallback={<Empty><p>No styluses yet. Add the one on your turntable below, so plays count its wear.</p></Empty>}>
            <For each={groups().filter(([, list]) => list.length > 0)}>
              {([title, list]) => (
                <section>
                  <h2>{title}</h2>
                  <ul class="cards">
                    <For each={list}>
                      {(s) => (
                        <li class="card stylus-card">
                          <div class="card-head">
                            <strong>{s.name}</strong>
                            <Show when={s.primary}><span class="badge">primary</span></Show>
                          </div>
                          <span class="muted">
                            {s.manufacturer || "—"} · {s.lifespan_hours ? `${s.lifespan_hours} h lifespan` : "no lifespan set"} · {s.wear.plays} play{s.wear.plays === 1 ? "" : "s"}
                          </span>
                          <WearBar wear={s.wear} name={s.name} />
                          <div class="row-actions">
                            <button type="button" class="link" onClick={() => setEditing(s)}>Edit<span class="sr-only"> {s.name}</span></button>
                            <Show when={!s.primary && !s.retired}>
                              <button type="button" class="link" onClick={() => attempt(notify, () => ok(api.POST("/api/v1/styluses/{stylus_id}/primary", { params: { path: { stylus_id: s.id } } })), `${s.name} is now primary`).then((d) => d && live.touched("stylus"))}>
                                Make primary
                              </button>
                            </Show>
                            <Show when={!s.retired}>
                              <button type="button" class="link" onClick={() => change(s, { active: !s.active }, s.active ? "Moved out of rotation" : "Back in rotation")}>
                                {s.active ? "Deactivate" : "Activate"}
                              </button>
                            </Show>
                            <button type="button" class="link" onClick={() => change(s, { retired: !s.retired }, s.retired ? "Un-retired" : "Retired")}>
                              {s.retired ? "Un-retire" : "Retire"}
                            </button>
                            <button type="button" class="link danger" onClick={() => setDeleting(s)}>Delete<span class="sr-only"> {s.name}</span></button>
                          </div>
                        </li>
                      )}
                    </For>
                  </ul>
                </section>
              )}
            </For>
          </Show>
        </Show>
      </Show>
      <form class="card add-form" aria-labelledby="add-stylus-title" onSubmit={add}>
        <h2 id="add-stylus-title">Add a stylus</h2>
        <div class="field">
          <label for="stylus-template">Copy from the catalogue</label>
          <select id="stylus-template" onChange={(e) => fromTemplate(e.currentTarget.value)}>
            <option value="">—</option>
            <For each={catalogue() ?? []}>
              {(t, i) => <option value={i()}>{t.manufacturer} {t.model} ({t.lifespan_hours} h)</option>}
            </For>
          </select>
        </div>
        <div class="field"><label for="stylus-name">Name</label><input id="stylus-name" required maxlength={200} value={name()} onInput={(e) => setName(e.currentTarget.value)} /></div>
        <div class="field"><label for="stylus-maker">Manufacturer</label><input id="stylus-maker" maxlength={200} value={maker()} onInput={(e) => setMaker(e.currentTarget.value)} /></div>
        <div class="field"><label for="stylus-hours">Lifespan (hours)</label><input id="stylus-hours" type="number" min="1" max="100000" value={hours()} onInput={(e) => setHours(e.currentTarget.value)} /></div>
        <div class="actions"><button type="submit" class="primary">Add stylus</button></div>
      </form>
      <Show when={editing()}>{(s) => <EditStylus stylus={s()} onClose={() => setEditing(null)} />}</Show>
      <Confirm
        open={deleting() !== null}
        title={`Delete ${deleting()?.name ?? "this stylus"}?`}
        confirmLabel="Delete"
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          const s = deleting()!;
          setDeleting(null);
          void attempt(notify, () => ok(api.DELETE("/api/v1/styluses/{stylus_id}", { params: { path: { stylus_id: s.id } } })), `Deleted ${s.name}`).then((d) => d && live.touched("stylus"));
        }}
      >
        <p>Its plays keep their record but lose the link to this stylus.</p>
      </Confirm>
    </section>
  );
}

/** Name, manufacturer, lifespan and purchase date of a stylus (PRODUCT §4.7). */
function EditStylus(props: { stylus: Stylus; onClose: () => void }) {
  const notify = useToasts();
  const live = useLive();
  const [name, setName] = createSignal(props.stylus.name);
  const [maker, setMaker] = createSignal(props.stylus.manufacturer ?? "");
  const [hours, setHours] = createSignal(props.stylus.lifespan_hours ? String(props.stylus.lifespan_hours) : "");
  const [bought, setBought] = createSignal(props.stylus.purchased_on ?? "");

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const lifespan = Number(hours());
    const body: Schemas["StylusPatch"] = { name: name().trim(), manufacturer: maker().trim() };
    if (hours().trim() && lifespan > 0) body.lifespan_hours = lifespan;
    if (bought()) body.purchased_on = bought();
    const done = await attempt(
      notify,
      () => ok(api.PATCH("/api/v1/styluses/{stylus_id}", { params: { path: { stylus_id: props.stylus.id } }, body })),
      `Saved ${name().trim()}`,
    );
    if (done) {
      live.touched("stylus");
      props.onClose();
    }
  }

  return (
    <aside class="panel" aria-labelledby="edit-stylus-title">
      <form onSubmit={save}>
        <h2 id="edit-stylus-title">Edit {props.stylus.name}</h2>
        <div class="field"><label for="edit-stylus-name">Name</label><input id="edit-stylus-name" required maxlength={200} value={name()} onInput={(e) => setName(e.currentTarget.value)} /></div>
        <div class="field"><label for="edit-stylus-maker">Manufacturer</label><input id="edit-stylus-maker" maxlength={200} value={maker()} onInput={(e) => setMaker(e.currentTarget.value)} /></div>
        <div class="field"><label for="edit-stylus-hours">Lifespan (hours)</label><input id="edit-stylus-hours" type="number" min="1" max="100000" value={hours()} onInput={(e) => setHours(e.currentTarget.value)} /></div>
        <div class="field"><label for="edit-stylus-bought">Purchased on</label><input id="edit-stylus-bought" type="date" value={bought()} onInput={(e) => setBought(e.currentTarget.value)} /></div>
        <div class="actions">
          <button type="button" onClick={() => props.onClose()}>Cancel</button>
          <button type="submit" class="primary">Save</button>
        </div>
      </form>
    </aside>
  );
}
