/**
 * The tour's RealTime WebSocket client (docs/realtime-api.md): connects to `/`, sends `authrequest` with
 * the login token, then `startaccounteventrequest`, and keeps every `accountevent` frame in arrival order.
 * It is an ordinary client of the public API: the tour sees exactly what an integration would see.
 */
import WebSocket from 'ws';
import { RingsideUnreachableError } from './errors.js';
import { topicOf, type RealtimeFrame } from './event-line.js';

export class EventFeed {
  /** Every `accountevent` received, in order. */
  readonly events: RealtimeFrame[] = [];
  readonly #ws: WebSocket;
  #listeners: ((e: RealtimeFrame) => void)[] = [];
  #waiters = new Set<() => void>();
  #replies: RealtimeFrame[] = [];
  #closed?: string;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      let frame: RealtimeFrame;
      try {
        frame = JSON.parse(data.toString()) as RealtimeFrame;
      } catch {
        return;
      }
      if (frame.type === 'accountevent') {
        this.events.push(frame);
        for (const l of this.#listeners) l(frame);
      } else this.#replies.push(frame);
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.#closed = `${code}${reason.length ? ` ${reason.toString()}` : ''}`;
      this.#wake();
    });
    ws.on('error', () => undefined);
  }

  /** Opens the socket at `<baseUrl>/`, authenticates with `token` and starts the account stream. */
  static async open(baseUrl: string, token: string, timeoutMs = 5000): Promise<EventFeed> {
    const url = baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '') + '/';
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RingsideUnreachableError(`the WebSocket at ${url} did not open within ${timeoutMs} ms`)), timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(new RingsideUnreachableError(`the WebSocket at ${url} failed: ${err.message}`));
      });
    });
    const feed = new EventFeed(ws);
    try {
      await feed.#request({ type: 'authrequest', token }, 'authresponse', timeoutMs);
      await feed.#request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse', timeoutMs);
    } catch (err) {
      feed.close();
      throw err;
    }
    return feed;
  }

  async #request(frame: Record<string, unknown>, replyType: string, timeoutMs: number): Promise<RealtimeFrame> {
    this.#ws.send(JSON.stringify(frame));
    const reply = await this.#until(() => this.#replies.find((r) => r.type === replyType || r.type === 'error'), timeoutMs);
    if (!reply) throw new RingsideUnreachableError(`no ${replyType} within ${timeoutMs} ms${this.#closed ? ` (socket closed: ${this.#closed})` : ''}`);
    this.#replies.splice(this.#replies.indexOf(reply), 1);
    if (reply.type !== replyType || reply.success !== true) throw new RingsideUnreachableError(`${String(frame.type)} refused: ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Calls `listener` for every account event from now on. */
  onEvent(listener: (e: RealtimeFrame) => void): void {
    this.#listeners.push(listener);
  }

  /** The index the next event will get: events after a mark are `events.slice(mark)`. */
  mark(): number {
    return this.events.length;
  }

  /** Waits for the first event after `mark` with this topic; undefined after `timeoutMs`. */
  waitForTopic(topic: string, mark: number, timeoutMs: number): Promise<RealtimeFrame | undefined> {
    return this.#until(() => this.events.slice(mark).find((e) => topicOf(e) === topic), timeoutMs);
  }

  async #until<T>(found: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = found();
      if (hit !== undefined || this.#closed !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Why the socket closed, if it did. */
  get closedBecause(): string | undefined {
    return this.#closed;
  }

  close(): void {
    this.#ws.close();
  }
}
