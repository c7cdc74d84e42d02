// A minimal server-sent-events client over fetch, as a browser's EventSource would behave (with Last-Event-ID).
export interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

export interface SseStream {
  readonly events: SseEvent[];
  /** Resolves when an event satisfying `predicate` has arrived (bounded by `timeoutMs`). */
  waitFor(predicate: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
  readonly closed: Promise<void>;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`SSE ${url} answered ${res.status}: ${await res.text()}`);
  const events: SseEvent[] = [];
  const waiters: Array<{ predicate: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const closed = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let idx: number;
        while ((idx = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          let id: string | null = null;
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') id = val;
            else if (field === 'event') event = val;
            else if (field === 'data') data.push(val);
          }
          if (data.length === 0 && id === null) continue;
          const ev = { id, event, data: data.join('\n') };
          events.push(ev);
          for (const w of [...waiters]) {
            if (w.predicate(ev)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(ev);
            }
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    waitFor(predicate, timeoutMs = 15_000) {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms (got ${events.length})`)), timeoutMs);
        waiters.push({ predicate, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
    close: () => controller.abort(),
    closed,
  };
}
