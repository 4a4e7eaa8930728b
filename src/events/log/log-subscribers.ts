/**
 * Live subscribers of a log whose entries arrive from a tail (nats-event-log.ts: the stream's ordered
 * consumer, so appends of every node reach every node's subscribers): each gets the entries matching its
 * filter in position order, once; one resuming from a cursor first catches up by reads, page by page, while
 * entries tailed meanwhile wait in its buffer.
 */
import { matches, type EventFilter, type LogEntry, type SubscribeOptions, type Subscription } from './event-log.js';

interface Sub {
  options: SubscribeOptions;
  /** Highest position delivered; entries at or below it are never delivered again. */
  delivered: number;
  live: boolean;
  buffer: LogEntry[];
  closed: boolean;
}

const PAGE = 500;

export class LogSubscribers {
  readonly #subs = new Set<Sub>();
  readonly #read: (after: number, filter: EventFilter, limit: number) => Promise<LogEntry[]>;
  readonly #onError: (err: Error) => void;

  constructor(read: (after: number, filter: EventFilter, limit: number) => Promise<LogEntry[]>, onError: (err: Error) => void) {
    this.#read = read;
    this.#onError = onError;
  }

  /** `now`: the position a live-only subscriber starts after. */
  subscribe(options: SubscribeOptions, now: number): Subscription {
    const sub: Sub = { options, delivered: options.after ?? now, live: options.after === undefined, buffer: [], closed: false };
    this.#subs.add(sub);
    if (sub.live) queueMicrotask(() => options.onLive?.());
    else setImmediate(() => void this.#catchUp(sub));
    return {
      close: () => {
        sub.closed = true;
        this.#subs.delete(sub);
      },
    };
  }

  publish(entry: LogEntry): void {
    for (const s of this.#subs) {
      if (s.closed || !matches(s.options.filter, entry)) continue;
      if (!s.live) s.buffer.push(entry);
      else this.#deliver(s, entry);
    }
  }

  closeAll(): void {
    for (const s of this.#subs) s.closed = true;
    this.#subs.clear();
  }

  async #catchUp(sub: Sub): Promise<void> {
    try {
      for (;;) {
        if (sub.closed) return;
        const rows = await this.#read(sub.delivered, sub.options.filter, PAGE);
        for (const e of rows) this.#deliver(sub, e);
        if (rows.length < PAGE) break;
        await new Promise((r) => setImmediate(r));
      }
    } catch (err) {
      // The subscriber stays: it goes live with what it has, and the failure is reported.
      this.#onError(err as Error);
    }
    if (sub.closed) return;
    sub.live = true;
    const buffered = sub.buffer;
    sub.buffer = [];
    for (const e of buffered) this.#deliver(sub, e);
    sub.options.onLive?.();
  }

  #deliver(s: Sub, entry: LogEntry): void {
    if (entry.position <= s.delivered || s.closed) return;
    s.delivered = entry.position;
    try {
      s.options.onEntry(entry);
    } catch {
      // A subscriber that throws must not break the log or other subscribers (delivery handles its errors).
    }
  }
}
