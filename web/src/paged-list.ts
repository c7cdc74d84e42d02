// A list read page by page (`{items, next}` answers): the first page whenever the query changes, "show more"
// for the next, and a reload for live updates. Shared by the incident, advisory and indicator lists.
import { useCallback, useEffect, useState } from 'react';
import { get, type Page } from './api.js';

export function usePagedList<T>(url: (cursor?: string) => string) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => get<Page<T>>(url()).then((p) => { setItems(p.items); setNext(p.next); }, setError), [url]);
  useEffect(() => {
    setItems(null);
    void load();
  }, [load]);
  const more = async () => {
    if (!next) return;
    const p = await get<Page<T>>(url(next)).catch((e: unknown) => { setError(e); return null; });
    if (p) {
      setItems((old) => [...(old ?? []), ...p.items]);
      setNext(p.next);
    }
  };
  return { items, next, error, setError, load, more };
}
