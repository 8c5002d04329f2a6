import { Route, Router, useNavigate, type RouteSectionProps } from "@solidjs/router";
import { createEffect, lazy, Match, Switch, type JSX } from "solid-js";
import Log from "./pages/Log";
import SignIn from "./pages/SignIn";
import { FolderProvider } from "./providers/folder";
import { LiveProvider } from "./providers/live";
import { SessionProvider, useSession } from "./providers/session";
import { ToastProvider } from "./providers/toasts";
import { Failed, Loading } from "./ui/common";
import { Layout } from "./ui/Layout";

const Record = lazy(() => import("./pages/Record"));
const Collection = lazy(() => import("./pages/Collection"));
const History = lazy(() => import("./pages/History"));
const Styluses = lazy(() => import("./pages/Styluses"));
const Suggestions = lazy(() => import("./pages/Suggestions"));
const Analytics = lazy(() => import("./pages/Analytics"));
const Archive = lazy(() => import("./pages/Archive"));
const Settings = lazy(() => import("./pages/Settings"));
const NotFound = lazy(() => import("./pages/NotFound"));

/** Signed in: the app, live; signed out: the sign-in page (the URL is kept). */
function Gate(props: RouteSectionProps): JSX.Element {
  const { session, refresh } = useSession();
  return (
    <Switch>
      <Match when={session.error}>
        <Failed error={session.error} retry={refresh} />
      </Match>
      <Match when={session.loading && !session.latest}>
        <Loading what="your session" />
      </Match>
      <Match when={session()?.signed_in}>
        <LiveProvider onSignedOut={refresh}>
          <FolderProvider>
            <Layout>{props.children}</Layout>
          </FolderProvider>
        </LiveProvider>
      </Match>
      <Match when={session() && !session()!.signed_in}>
        <SignIn />
      </Match>
    </Switch>
  );
}

function LoginRoute(): JSX.Element {
  const { session } = useSession();
  const navigate = useNavigate();
  createEffect(() => {
    if (session()?.signed_in && !location.hash.includes("key=")) navigate("/", { replace: true });
  });
  return <SignIn />;
}

export default function App(): JSX.Element {
  return (
    <ToastProvider>
      <SessionProvider>
        <Router>
          <Route path="/login" component={LoginRoute} />
          <Route path="/" component={Gate}>
            <Route path="/" component={Log} />
            <Route path="/collection" component={Collection} />
            <Route path="/record/:instanceId" component={Record} />
            <Route path="/release/:releaseId" component={Record} />
            <Route path="/history" component={History} />
            <Route path="/styluses" component={Styluses} />
            <Route path="/suggestions" component={Suggestions} />
            <Route path="/analytics" component={Analytics} />
            <Route path="/archive" component={Archive} />
            <Route path="/settings" component={Settings} />
            <Route path="*" component={NotFound} />
          </Route>
        </Router>
      </SessionProvider>
    </ToastProvider>
  );
}
