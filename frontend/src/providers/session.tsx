// Who this browser is signed in as (GET /api/v1/auth/session), shared by every page; the
// CSRF token it returns goes on every state-changing request.
import { createContext, createResource, useContext, type ParentProps, type Resource } from "solid-js";
import { api, ok, setCsrfToken, type Schemas } from "../api/client";

type Session = Schemas["SessionState"];

interface SessionContext {
  session: Resource<Session>;
  refresh: () => void;
  signInWithKey: (key: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const Context = createContext<SessionContext>();

async function fetchSession(): Promise<Session> {
  const session = await ok(api.GET("/api/v1/auth/session"));
  setCsrfToken(session.csrf_token ?? null);
  return session;
}

export function SessionProvider(props: ParentProps) {
  const [session, { refetch }] = createResource(fetchSession);
  const value: SessionContext = {
    session,
    refresh: () => void refetch(),
    async signInWithKey(key) {
      const info = await ok(api.POST("/api/v1/auth/local/session", { body: { key } }));
      setCsrfToken(info.csrf_token);
      await refetch();
    },
    async signOut() {
      const signedOut = await ok(api.POST("/api/v1/auth/logout"));
      setCsrfToken(null);
      // OIDC mode: end the provider's session too (RP-initiated logout), by navigating there
      if (signedOut.end_session_url) {
        window.location.assign(signedOut.end_session_url);
        return;
      }
      await refetch();
    },
  };
  return <Context.Provider value={value}>{props.children}</Context.Provider>;
}

export function useSession(): SessionContext {
  const context = useContext(Context);
  if (!context) throw new Error("useSession outside SessionProvider");
  return context;
}
