// One WebSocket per tab on the session cookie. A tab keeps no log: it says hello without a
// cursor (only what happens from now on) and treats each change as a reason to refetch what
// it shows. After a (re)connect, the welcome makes every view refetch once and the Discogs
// import's state is read again from the server (so a tab opened, or reconnected, during an
// import shows it at once, and one that missed its end learns it).
import {
  createContext,
  createSignal,
  onCleanup,
  useContext,
  type Accessor,
  type ParentProps,
} from "solid-js";
import type { components } from "../api/ws";
import { api, ok } from "../api/client";
import { nextDelay } from "../data/backoff";
import { applyProgress, applyStatus, statusIsCurrent, UNKNOWN, type ImportState } from "../data/importState";

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
/** A "running" import not heard of for this long is asked about again (the server's status
 * says whether it still runs, how it ended, or that it died: its lease is 5 minutes). */
const IMPORT_SILENCE_MS = 2 * 60_000;

interface LiveContext {
  /** Changes when any of ``entities`` changed: read it in a resource's source to refetch. */
  version: (...entities: Entity[]) => number;
  online: Accessor<boolean>;
  importState: Accessor<ImportState>;
  /** Read the import's state from the server now (after this tab started one). */
  recheckImport: () => void;
  /** Count a change made by this tab at once (its own socket message follows anyway). */
  touched: (...entities: Entity[]) => void;
}

const Context = createContext<LiveContext>();

export function LiveProvider(props: ParentProps<{ onSignedOut: () => void }>) {
  const counters = new Map(ENTITIES.map((entity) => [entity, createSignal(0)] as const));
  const [online, setOnline] = createSignal(false);
  const [importState, setImportState] = createSignal<ImportState>(UNKNOWN);
  let socket: WebSocket | null = null;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  let heardOfImport = 0;
  let importMessages = 0;

  /** Read the import's state from the server (when the tab starts, on every welcome, and after
   * a silence). */
  async function readImportStatus() {
    const messagesAtRequest = importMessages;
    try {
      const status = await ok(api.GET("/api/v1/discogs/status"));
      if (stopped || !statusIsCurrent(messagesAtRequest, importMessages)) return;
      const before = importState();
      const after = applyStatus(before, status);
      heardOfImport = Date.now();
      setImportState(after);
      if (before.state === "running" && after.state !== "running") bump(["collection_item", "folder"]);
    } catch {
      // offline or signed out: the next welcome reads it again
    }
  }

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
        void readImportStatus();
      } else if (message.type === "changes") {
        bump(message.changes.map((change) => change.entity));
      } else if (message.type === "poke") {
        bump(ENTITIES);
      } else if (message.type === "import_progress") {
        heardOfImport = Date.now();
        importMessages += 1;
        setImportState((prev) => applyProgress(prev, message, new Date()));
        if (message.state !== "running") {
          bump(["collection_item", "folder"]);
          void readImportStatus(); // the server's own date of the end, for "as of"
        }
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
  void readImportStatus(); // at once, not waiting for the socket
  connect();
  keepAlive = setInterval(() => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
    if (importState().state === "running" && Date.now() - heardOfImport > IMPORT_SILENCE_MS) void readImportStatus();
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
    importState,
    recheckImport: () => void readImportStatus(),
    touched: (...entities) => bump(entities),
  };
  return <Context.Provider value={value}>{props.children}</Context.Provider>;
}

export function useLive(): LiveContext {
  const context = useContext(Context);
  if (!context) throw new Error("useLive outside LiveProvider");
  return context;
}
