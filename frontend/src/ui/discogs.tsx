// Connecting Discogs on the server and importing through it (PRODUCT §4.1, first run): the
// token (where to get one; Discogs checks it before the server keeps it, encrypted), then
// "Import" / "Refresh from Discogs", routed by the server to an online desktop of the user or
// run by the server itself, and the import's progress as the server reports it.
import { createEffect, createResource, createSignal, Match, Show, Switch } from "solid-js";
import { api, ok } from "../api/client";
import { describeImport, describeLastImport } from "../data/importState";
import { formatDateTime } from "../data/time";
import { useLive } from "../providers/live";
import { attempt, useToasts } from "../providers/toasts";

export const TOKEN_PAGE = "https://www.discogs.com/settings/developers";

/** The import's state under the header, on every page: while it runs (whoever runs it), and
 * its outcome when this tab saw it end, until the user dismisses it. */
export function ImportStatus() {
  const live = useLive();
  const [dismissed, setDismissed] = createSignal(false);
  createEffect(() => {
    if (live.importState().state === "running") setDismissed(false);
  });
  const shown = () => {
    const s = live.importState();
    return s.state === "running" || (s.endedHere && !dismissed()) ? s : null;
  };
  return (
    <Show when={shown()}>
      {(s) => (
        <div class={`banner import-status import-${s().state}`}>
          <p role="status" aria-live="polite">{describeImport(s())}</p>
          <Show when={s().state !== "running"}>
            <button type="button" class="link" onClick={() => setDismissed(true)}>
              Dismiss<span class="sr-only"> the import's outcome</span>
            </button>
          </Show>
          <Show when={s().state === "running"}>
            {/* max and value are numbers or absent (a non-finite max throws in the DOM) */}
            <Show when={s().progress?.pages_total} fallback={<progress aria-label="Import progress" />}>
              {(total) => <progress aria-label="Import progress" max={total()} value={Math.min(s().progress?.pages_done ?? 0, total())} />}
            </Show>
          </Show>
        </div>
      )}
    </Show>
  );
}

/** The last import "as of" its end (and why it failed), or the one running and who runs it. */
export function LastImport(props: { hideIdle?: boolean }) {
  const live = useLive();
  return (
    <Show when={!props.hideIdle || live.importState().state !== "idle"}>
        <p class={`last-import${live.importState().state === "failed" ? " failed" : ""}`} aria-live="polite">
        {describeLastImport(live.importState(), formatDateTime)}
      </p>
    </Show>
  );
}

/** The token form, or who is connected; and the import button with its progress. */
export function DiscogsConnect(props: { firstRun?: boolean }) {
  const live = useLive();
  const notify = useToasts();
  const [token, { refetch }] = createResource(() => ok(api.GET("/api/v1/discogs/token")));
  const [typed, setTyped] = createSignal("");
  const [problem, setProblem] = createSignal("");
  const [checking, setChecking] = createSignal(false);
  const [routed, setRouted] = createSignal("");
  const running = () => live.importState().state === "running";

  async function store(event: SubmitEvent) {
    event.preventDefault();
    setProblem("");
    setChecking(true);
    try {
      await ok(api.PUT("/api/v1/discogs/token", { body: { token: typed().trim() } }));
      setTyped("");
      notify.ok("Discogs token checked and stored");
      await refetch();
    } catch (error) {
      setProblem((error instanceof Error ? error.message : String(error)).replace(/^token: /, ""));
    } finally {
      setChecking(false);
    }
  }

  async function refresh() {
    setRouted("");
    try {
      const accepted = await ok(api.POST("/api/v1/discogs/refresh"));
      setRouted(
        accepted.via === "desktop"
          ? "A desktop of yours is importing from Discogs; the records appear here as it uploads them."
          : accepted.via === "server"
            ? "The server is importing from Discogs."
            : accepted.detail || "Nothing can import right now.",
      );
      live.recheckImport();
    } catch (error) {
      notify.error(error instanceof Error ? error.message : String(error));
    }
  }

  return (
    <div class="discogs-connect">
      <Show when={token()} fallback={<p class="muted">Checking the Discogs connection…</p>}>
        {(status) => (
          <Switch>
            <Match when={!status().stored}>
              <form onSubmit={store} aria-label="Connect Discogs">
                <p>
                  {props.firstRun ? "To import your collection through this server, give it" : "To let the server import for you (when no desktop is online), give it"}{" "}
                  your Discogs personal access token. Get one in{" "}
                  <a href={TOKEN_PAGE} target="_blank" rel="noopener noreferrer">
                    Discogs → Settings → Developers
                  </a>{" "}
                  (“Generate new token”). Discogs checks it first; the server keeps it encrypted and never shows it again.
                </p>
                <div class="field">
                  <label for="discogs-token">Personal access token</label>
                  <input
                    id="discogs-token"
                    type="password"
                    autocomplete="off"
                    spellcheck={false}
                    required
                    minlength={8}
                    maxlength={200}
                    value={typed()}
                    aria-invalid={problem() ? "true" : undefined}
                    aria-describedby={problem() ? "discogs-token-problem" : undefined}
                    onInput={(e) => setTyped(e.currentTarget.value)}
                  />
                  <Show when={problem()}>
                    <p id="discogs-token-problem" class="field-error" role="alert">{problem()}</p>
                  </Show>
                </div>
                <div class="actions">
                  <button type="submit" class="primary" disabled={checking()}>
                    {checking() ? "Checking with Discogs…" : "Check and store"}
                  </button>
                </div>
              </form>
            </Match>
            <Match when={status().stored}>
              <p>
                Connected to Discogs as <strong>{status().username}</strong>.
              </p>
              <div class="actions">
                <button type="button" class="primary" disabled={running()} onClick={() => void refresh()}>
                  {props.firstRun ? "Import my collection" : "Refresh from Discogs"}
                </button>
                <Show when={!props.firstRun}>
                  <button
                    type="button"
                    onClick={() =>
                      void attempt(notify, () => ok(api.DELETE("/api/v1/discogs/token")), "Discogs token forgotten").then(() => refetch())
                    }
                  >
                    Forget the token
                  </button>
                </Show>
              </div>
            </Match>
          </Switch>
        )}
      </Show>
      <Show when={token()?.stored === false && !props.firstRun}>
        <div class="actions">
          <button type="button" disabled={running()} onClick={() => void refresh()}>
            Refresh from Discogs (through a desktop)
          </button>
        </div>
      </Show>
      <Show when={routed()}>
        <p role="status">{routed()}</p>
      </Show>
      <LastImport hideIdle={props.firstRun} />
    </div>
  );
}
