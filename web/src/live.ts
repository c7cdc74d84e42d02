// One EventSource per page for the live stream (/api/v1/events); components subscribe to event types.
// The browser reconnects by itself with Last-Event-ID; when the stream had to be opened anew (server gone
// for a while) it resumes from the last event seen, so nothing is lost either way.
import { useEffect, useRef, useState } from 'react';

export interface LiveEvent {
  readonly seq: number;
  readonly type: string;
  readonly recordKind: string;
  readonly recordId: string;
  readonly at: string;
  readonly data: Record<string, unknown>;
}

export type LiveStatus = 'connecting' | 'open' | 'closed';

type Handler = (event: LiveEvent) => void;
const handlers = new Map<string, Set<Handler>>();
const statusListeners = new Set<(s: LiveStatus) => void>();
let source: EventSource | null = null;
let lastSeq = 0;
let status: LiveStatus = 'closed';
let retry: number | null = null;
const attached = new Set<string>();

function setStatus(s: LiveStatus): void {
  status = s;
  for (const l of statusListeners) l(s);
}

function ensureSource(): EventSource {
  if (!source || source.readyState === EventSource.CLOSED) {
    source = new EventSource(`/api/v1/events${lastSeq ? `?lastEventId=${lastSeq}` : ''}`);
    attached.clear();
    setStatus('connecting');
    source.addEventListener('open', () => setStatus('open'));
    source.addEventListener('error', () => {
      const s = source;
      if (!s) return;
      if (s.readyState === EventSource.CLOSED) {
        // The browser gave up (the server answered an error): open a new stream from where we were, soon.
        setStatus('closed');
        if (retry === null) retry = window.setTimeout(() => {
          retry = null;
          if (handlers.size) {
            for (const t of handlers.keys()) attach(t);
          }
        }, 3000);
      } else setStatus('connecting');
    });
    for (const t of handlers.keys()) attachTo(source, t);
  }
  return source;
}

function attachTo(s: EventSource, type: string): void {
  if (attached.has(type)) return;
  attached.add(type);
  s.addEventListener(type, (message) => {
    const event = JSON.parse((message as MessageEvent<string>).data) as LiveEvent;
    if (event.seq > lastSeq) lastSeq = event.seq;
    for (const h of handlers.get(type) ?? []) h(event);
  });
}

function attach(type: string): void {
  attachTo(ensureSource(), type);
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

/** Whether the live stream is connected, for a "Live" indicator. */
export function useLiveStatus(): LiveStatus {
  const [s, setS] = useState<LiveStatus>(status);
  useEffect(() => {
    statusListeners.add(setS);
    setS(status);
    return () => {
      statusListeners.delete(setS);
    };
  }, []);
  return s;
}

/** Closes the stream (on sign-out, so the next user starts a fresh one). */
export function closeLiveEvents(): void {
  source?.close();
  source = null;
  lastSeq = 0;
  attached.clear();
  setStatus('closed');
}
