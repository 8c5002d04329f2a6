// One WebSocket per tab on the session cookie. A tab keeps no log: it says hello without a
// cursor (only what happens from now on) and treats each change as a reason to refetch what
// it shows. After a (re)connect, the welcome makes every view refetch once.
import {
  createContext,
  createSignal,
  onCleanup,
  useContext,
  type Accessor,
  type ParentProps,
} from "solid-js";
import type { components } from "../api/ws";
import { nextDelay } from "../data/backoff";

type Messages = components["schemas"];
export type Entity = Messages["Change"]["entity"];
export type ImportProgress = Messages["ImportProgressMessage"];
type ServerMessage =
  | Messages["Welcome"]
  | Messages["ChangesMessage"]
  | Messages["Poke"]
  | Messages["Pong"]
  | Messages["ImportProgressMessage"]
  | Messages["RefreshRequestMessage"];

const ENTITIES: Entity[] = ["play", "cleaning", "stylus", "collection_item", "folder"];
/** A "running" import not heard of for this long is forgotten: its outcome was sent while
 * this tab was reconnecting, or the import died (the server's lease on it is 5 minutes). */
const IMPORT_SILENCE_MS = 5 * 60_000;

interface LiveContext {
  /** Changes when any of ``entities`` changed: read it in a resource's source to refetch. */
  version: (...entities: Entity[]) => number;
  online: Accessor<boolean>;
  importProgress: Accessor<ImportProgress | null>;
  /** Count a change made by this tab at once (its own socket message follows anyway). */
  touched: (...entities: Entity[]) => void;
}

const Context = createContext<LiveContext>();

export function LiveProvider(props: ParentProps<{ onSignedOut: () => void }>) {
  const counters = new Map(ENTITIES.map((entity) => [entity, createSignal(0)] as const));
  const [online, setOnline] = createSignal(false);
  const [importProgress, setImportProgress] = createSignal<ImportProgress | null>(null);
  let socket: WebSocket | null = null;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  let heardOfImport = 0;

  const bump = (entities: Iterable<Entity>) => {
    for (const entity of new Set(entities)) counters.get(entity)?.[1]((n) => n + 1);
  };

  function connect() {
    if (stopped) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/ws`);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello" }));
    ws.onmessage = (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === "welcome") {
        attempt = 0;
        setOnline(true);
        bump(ENTITIES); // whatever happened while we were away
      } else if (message.type === "changes") {
        bump(message.changes.map((change) => change.entity));
      } else if (message.type === "poke") {
        bump(ENTITIES);
      } else if (message.type === "import_progress") {
        heardOfImport = Date.now();
        setImportProgress(message);
        if (message.state !== "running") bump(["collection_item", "folder"]);
      }
    };
    ws.onclose = (event) => {
      setOnline(false);
      if (socket !== ws) return;
      socket = null;
      if (event.code === 4401 || event.code === 4403) {
        // the session is read again: renewed by the server (OIDC mode: its access token had
        // lapsed; the next handshake carries the renewed cookie), or over (then this
        // provider unmounts, and its cleanup cancels the retry)
        props.onSignedOut();
        if (event.code === 4403) return;
      }
      retry = setTimeout(connect, nextDelay(attempt++));
    };
  }

  const wake = () => {
    if (socket === null && !stopped) {
      clearTimeout(retry);
      attempt = 0;
      connect();
    }
  };
  window.addEventListener("online", wake);
  connect();
  keepAlive = setInterval(() => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
    if (importProgress()?.state === "running" && Date.now() - heardOfImport > IMPORT_SILENCE_MS)
      setImportProgress(null);
  }, 30_000);

  onCleanup(() => {
    stopped = true;
    clearTimeout(retry);
    clearInterval(keepAlive);
    window.removeEventListener("online", wake);
    socket?.close(1000, "signed out");
  });

  const value: LiveContext = {
    version: (...entities) => entities.reduce((sum, e) => sum + (counters.get(e)?.[0]() ?? 0), 0),
    online,
    importProgress,
    touched: (...entities) => bump(entities),
  };
  return <Context.Provider value={value}>{props.children}</Context.Provider>;
}

export function useLive(): LiveContext {
  const context = useContext(Context);
  if (!context) throw new Error("useLive outside LiveProvider");
  return context;
}
