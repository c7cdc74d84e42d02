// One EventSource per page for the live stream (/api/v1/events); components subscribe to event types.
import { useEffect, useRef } from 'react';

export interface LiveEvent {
  readonly seq: number;
  readonly type: string;
  readonly recordKind: string;
  readonly recordId: string;
  readonly at: string;
  readonly data: Record<string, unknown>;
}

type Handler = (event: LiveEvent) => void;
const handlers = new Map<string, Set<Handler>>();
let source: EventSource | null = null;
const attached = new Set<string>();

function ensureSource(): EventSource {
  if (!source || source.readyState === EventSource.CLOSED) {
    source = new EventSource('/api/v1/events');
    attached.clear();
  }
  return source;
}

function attach(type: string): void {
  const s = ensureSource();
  if (attached.has(type)) return;
  attached.add(type);
  s.addEventListener(type, (message) => {
    const event = JSON.parse((message as MessageEvent<string>).data) as LiveEvent;
    for (const h of handlers.get(type) ?? []) h(event);
  });
}

/** Calls `handler` for each live event of the given types while the component is mounted. */
export function useLiveEvents(types: readonly string[], handler: Handler): void {
  const ref = useRef(handler);
  ref.current = handler;
  const key = types.join(',');
  useEffect(() => {
    const h: Handler = (e) => ref.current(e);
    for (const t of key.split(',')) {
      if (!handlers.has(t)) handlers.set(t, new Set());
      handlers.get(t)!.add(h);
      attach(t);
    }
    return () => {
      for (const t of key.split(',')) handlers.get(t)?.delete(h);
    };
  }, [key]);
}

/** Closes the stream (on sign-out, so the next user starts a fresh one). */
export function closeLiveEvents(): void {
  source?.close();
  source = null;
  attached.clear();
}
