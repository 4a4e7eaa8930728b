/**
 * The public event stream, `GET /events/stream` (docs/webhooks.md, "Event history"), read with `fetch` so it
 * can carry the bearer token (EventSource cannot send headers). Positions are the event log's: increasing
 * and gap-free, so resuming with `after=<last position>` gives no gap and no duplicate; an event at or below
 * the last position seen is dropped all the same, so a reconnect can never show one twice.
 */
import { authFetch } from './client';

export type Dialect = 'realtime' | 'teltel' | 'bandwidth';
export const DIALECTS: readonly Dialect[] = ['realtime', 'teltel', 'bandwidth'];

export interface StreamEvent {
  position: number;
  name: string;
  payload: unknown;
}

export type StreamState = 'connecting' | 'live' | 'retrying' | 'closed';

export interface StreamOptions {
  dialect: Dialect;
  /** Resume after this position; undefined = start live. */
  after?: number | undefined;
  onEvent(e: StreamEvent): void;
  onState?(s: StreamState, detail?: string): void;
}

/** One SSE message block (lines up to a blank line) → its fields; comments are skipped. */
export function parseSseBlock(block: string): { id?: string; event?: string; data?: string } {
  const out: { id?: string; event?: string; data?: string } = {};
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'id') out.id = value;
    else if (field === 'event') out.event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length) out.data = data.join('\n');
  return out;
}

/** Opens the stream and keeps it open (reconnecting from the last position) until the returned function is called. */
export function openEventStream(opts: StreamOptions): () => void {
  let last = opts.after;
  let closed = false;
  let controller: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const run = async (): Promise<void> => {
    controller = new AbortController();
    const q = new URLSearchParams({ dialect: opts.dialect });
    if (last !== undefined) q.set('after', String(last));
    opts.onState?.('connecting');
    try {
      const res = await authFetch(`/events/stream?${q}`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(`event stream answered ${res.status}`);
      opts.onState?.('live');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value.replace(/\r\n?/g, '\n');
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = parseSseBlock(buf.slice(0, cut));
          buf = buf.slice(cut + 2);
          if (block.id === undefined || block.data === undefined) continue;
          const position = Number(block.id);
          if (!Number.isSafeInteger(position) || (last !== undefined && position <= last)) continue;
          last = position;
          let payload: unknown;
          try {
            payload = JSON.parse(block.data);
          } catch {
            payload = block.data;
          }
          opts.onEvent({ position, name: block.event ?? 'message', payload });
        }
      }
      throw new Error('the event stream ended');
    } catch (err) {
      if (closed) return;
      opts.onState?.('retrying', String(err instanceof Error ? err.message : err));
      retryTimer = setTimeout(() => void run(), 2000);
    }
  };
  void run();
  return () => {
    closed = true;
    clearTimeout(retryTimer);
    controller?.abort();
    opts.onState?.('closed');
  };
}
