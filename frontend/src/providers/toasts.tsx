// Toasts for every action's success or failure (PRODUCT §4.13), announced to screen readers.
import { createContext, createSignal, For, useContext, type ParentProps } from "solid-js";

type Toast = { id: number; text: string; kind: "ok" | "error" };
type Notify = { ok: (text: string) => void; error: (text: string) => void };

const Context = createContext<Notify>();
let nextId = 1;

export function ToastProvider(props: ParentProps) {
  const [toasts, setToasts] = createSignal<Toast[]>([]);
  const push = (kind: Toast["kind"], text: string) => {
    const id = nextId++;
    setToasts((all) => [...all.slice(-3), { id, text, kind }]);
    setTimeout(() => setToasts((all) => all.filter((t) => t.id !== id)), kind === "ok" ? 4000 : 8000);
  };
  const notify: Notify = { ok: (t) => push("ok", t), error: (t) => push("error", t) };
  return (
    <Context.Provider value={notify}>
      {props.children}
      <div class="toasts" role="status" aria-live="polite">
        <For each={toasts()}>
          {(toast) => (
            <div class={`toast toast-${toast.kind}`} role={toast.kind === "error" ? "alert" : undefined}>
              {toast.text}
            </div>
          )}
        </For>
      </div>
    </Context.Provider>
  );
}

export function useToasts(): Notify {
  const context = useContext(Context);
  if (!context) throw new Error("useToasts outside ToastProvider");
  return context;
}

/** Run an action, toast its outcome; resolves to whether it succeeded. */
export async function attempt(
  notify: Notify,
  action: () => Promise<unknown>,
  success: string,
): Promise<boolean> {
  try {
    await action();
    notify.ok(success);
    return true;
  } catch (error) {
    notify.error(error instanceof Error ? error.message : String(error));
    return false;
  }
}
