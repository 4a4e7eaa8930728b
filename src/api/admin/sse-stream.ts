/**
 * One Server-Sent Events client of the event history (docs/webhooks.md, "Event history"): `id:` = log
 * position, `event:` = event name, `data:` = the payload JSON. The backlog is sent at the client's pace
 * (waiting for 'drain'), then live; once live, a client that falls more than `maxBuffer` bytes behind is
 * sent an `: error` comment and disconnected (it resumes with Last-Event-ID).
 */
import type { ServerResponse } from 'node:http';
import type { EventFilter, EventLog, LogEntry, Subscription } from '../../events/log/event-log.js';

export interface SseStreamOptions {
  res: ServerResponse;
  events: EventLog;
  filter: EventFilter;
  /** The last position the client has: the stream sends what comes after it. */
  after: number;
  keepAliveMs: number;
  maxBuffer: number;
  onClosed: () => void;
}

export class SseStream {
  #closed = false;
  #sent: number;
  #sub?: Subscription;
  #keepAlive?: NodeJS.Timeout;
  readonly #o: SseStreamOptions;

  constructor(options: SseStreamOptions) {
    this.#o = options;
    this.#sent = options.after;
    options.res.on('close', () => this.#cleanup());
    this.#keepAlive = setInterval(() => this.#closed || options.res.write(': keep-alive\n\n'), options.keepAliveMs);
  }

  /** Backlog at the client's pace, then live from the last position sent. */
  async run(): Promise<void> {
    const { events, filter, res, maxBuffer } = this.#o;
    try {
      for (;;) {
        if (this.#closed) return;
        const page = await events.read(this.#sent, filter, 200);
        if (page.length === 0) break;
        for (const e of page) if (!this.#write(e)) await this.#drain();
      }
      if (this.#closed) return;
      this.#sub = events.subscribe({
        filter,
        after: this.#sent,
        onEntry: (e) => {
          if (this.#closed || e.position <= this.#sent) return;
          this.#write(e);
          if (res.writableLength > maxBuffer) this.close(`: error: client too slow, more than ${maxBuffer} bytes buffered; reconnect with Last-Event-ID: ${this.#sent}\n\n`);
        },
      });
    } catch {
      this.close(': error: the event log is unavailable\n\n');
    }
  }

  #write(e: LogEntry): boolean {
    this.#sent = e.position;
    return this.#o.res.write(`id: ${e.position}\nevent: ${e.name}\ndata: ${e.payloadJson}\n\n`);
  }

  #drain(): Promise<void> {
    const res = this.#o.res;
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }

  close(comment: string): void {
    if (this.#closed) return;
    this.#cleanup();
    this.#o.res.end(comment);
    // A client that reads nothing would hold the socket: drop it if the goodbye cannot be flushed.
    setTimeout(() => this.#o.res.destroy(), 2000).unref();
  }

  #cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sub?.close();
    clearInterval(this.#keepAlive);
    this.#o.onClosed();
  }
}
