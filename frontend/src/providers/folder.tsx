// The folder selector's choice (PRODUCT §4.3), remembered in this browser.
import { createContext, createSignal, useContext, type Accessor, type ParentProps } from "solid-js";

const KEY = "kleio.folder";
type FolderContext = { folder: Accessor<number>; setFolder: (id: number) => void };
const Context = createContext<FolderContext>();

export function FolderProvider(props: ParentProps) {
  const stored = Number(localStorage.getItem(KEY) ?? "0");
  const [folder, set] = createSignal(Number.isInteger(stored) && stored >= 0 ? stored : 0);
  const setFolder = (id: number) => {
    localStorage.setItem(KEY, String(id));
    set(id);
  };
  return <Context.Provider value={{ folder, setFolder }}>{props.children}</Context.Provider>;
}

export function useFolder(): FolderContext {
  const context = useContext(Context);
  if (!context) throw new Error("useFolder outside FolderProvider");
  return context;
}
