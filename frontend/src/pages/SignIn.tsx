import { useNavigate } from "@solidjs/router";
import { createSignal, onMount, Show } from "solid-js";
import { useSession } from "../providers/session";

/** Local mode: the printed /login#key=… URL (the key stays in the fragment, which the
 * browser never sends) signs in here; without a key in the URL, a form asks for it.
 * OIDC mode: browser sign-in (the server-side code flow) is not built yet; the page says so. */
export default function SignIn() {
  const { session, signInWithKey } = useSession();
  const navigate = useNavigate();
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);

  async function submit(key: string) {
    setBusy(true);
    setError("");
    try {
      await signInWithKey(key);
      navigate("/", { replace: true });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  onMount(() => {
    const key = new URLSearchParams(location.hash.slice(1)).get("key");
    if (key) {
      history.replaceState(null, "", location.pathname); // the key leaves the address bar
      void submit(key);
    }
  });

  return (
    <div class="signin">
      <h1>Kleio</h1>
      <p>Your vinyl collection: plays, cleanings, styluses.</p>
      <Show
        when={session()?.mode !== "oidc"}
        fallback={
          <p role="status">
            This server signs in with OpenID Connect. Browser sign-in through the server is not
            available in this version yet: use the desktop app (<code>kleio login</code>).
          </p>
        }
      >
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const key = new FormData(event.currentTarget).get("key");
            void submit(String(key ?? ""));
          }}
        >
          <label for="key">Access key (printed by kleio-server serve)</label>
          <input id="key" name="key" type="password" autocomplete="off" required />
          <button type="submit" class="primary" disabled={busy()}>
            {busy() ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </Show>
      <Show when={error()}>
        <p class="error" role="alert">
          Could not sign in: {error()}
        </p>
      </Show>
    </div>
  );
}
