import { useNavigate } from "@solidjs/router";
import { createSignal, onMount, Show } from "solid-js";
import { useSession } from "../providers/session";

/** Local mode: the printed /login#key=… URL (the key stays in the fragment, which the
 * browser never sends) signs in here; without a key in the URL, a form asks for it.
 * OIDC mode: "Sign in" goes to the server's /auth/login (the server-side code flow at the
 * provider), which comes back to the page the user was on. */
/** Where to land after the provider's sign-in: this page, unless it is the sign-in page. */
function returnPath(): string {
  return location.pathname === "/login" ? "/" : location.pathname + location.search;
}

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
          <p>
            {/* rel=external: a full navigation to the server, not a client-side route */}
            <a
              class="button primary"
              rel="external"
              href={`/auth/login?next=${encodeURIComponent(returnPath())}`}
            >
              Sign in
            </a>
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
