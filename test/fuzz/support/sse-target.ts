/**
 * The event history's Server-Sent Events stream (`GET /events/stream`, src/api/admin/sse-stream.ts): odd
 * query parameters and `Last-Event-ID` headers, connections aborted at once, after the first bytes or after
 * a while, several at a time. Rules: a 200 is `text/event-stream` whose `id:` lines only grow; a refusal
 * is a structured 4xx; never a 5xx; the stream starts within 10 s.
 */
import { request, type ClientRequest } from 'node:http';
import type { Prng } from './prng.js';
import { TargetStats, sleep, statusClass, type FuzzTarget } from './target.js';

export interface SseTargetOptions {
  host: string;
  port: number;
  adminToken: string;
  userToken: string;
  r: Prng;
}

const QUERIES = ['', 'after=0', 'after=1', 'after=-1', 'after=abc', 'after=1e3', 'after=99999999999', 'after=18446744073709551616', 'dialect=realtime', 'dialect=teltel', 'dialect=bandwidth', 'dialect=x', 'dialect=realtime&dialect=teltel', 'session_id=', 'session_id=' + 'a'.repeat(200), 'name=START,END', 'name=' + ',' .repeat(500), 'name=%00', '%', '%zz', 'limit=5', 'after[]=1', 'after=0&after=1', 'after=%20%31'];
const LAST_IDS = [undefined, undefined, '0', '1', '5', '-1', 'abc', '', ' 3', '3 ', '1e2', '0x10', '99999999999', '18446744073709551616', '%00', 'x'.repeat(5000), '１'];

export class SseTarget implements FuzzTarget {
  readonly stats = new TargetStats('sse');
  readonly #o: SseTargetOptions;

  constructor(o: SseTargetOptions) {
    this.#o = o;
  }

  async run(deadline: () => number): Promise<void> {
    await Promise.all([0, 1].map(() => this.#lane(deadline)));
  }

  async #lane(deadline: () => number): Promise<void> {
    const r = this.#o.r;
    while (Date.now() < deadline()) {
      const n = r.pick([1, 1, 1, 5, 20]);
      await Promise.all(Array.from({ length: n }, () => this.#one(r)));
    }
  }

  #one(r: Prng): Promise<void> {
    const index = this.stats.sent++;
    const query = [r.pick(QUERIES), r.chance(0.3) ? r.pick(QUERIES) : ''].filter(Boolean).join('&');
    const headers: Record<string, string> = {};
    const auth = r.next();
    if (auth < 0.7) headers.authorization = `Bearer ${this.#o.adminToken}`;
    else if (auth < 0.85) headers.authorization = `Bearer ${this.#o.userToken}`;
    else if (auth < 0.95) headers.authorization = r.pick(['Bearer nope', 'Basic x', '']);
    const lastId = r.pick(LAST_IDS);
    if (lastId !== undefined) headers['last-event-id'] = lastId;
    if (r.chance(0.1)) headers.accept = r.pick(['application/json', 'text/html', '']);
    const input = `GET /events/stream?${query} ${JSON.stringify(headers)}`;
    const abortAfter = r.pick([0, 5, 50, 300, 2000]);
    return new Promise((resolve) => {
      let req: ClientRequest;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.stats.count('timeout');
        this.stats.find('hang', 'no answer in 10 s', input, index);
        req.destroy();
        finish();
      }, 10_000);
      try {
        req = request({ host: this.#o.host, port: this.#o.port, path: `/events/stream${query ? `?${query}` : ''}`, headers }, (res) => {
          const status = res.statusCode ?? 0;
          this.stats.count(statusClass(status));
          const type = String(res.headers['content-type'] ?? '');
          let text = '';
          res.on('data', (d: Buffer) => {
            if (text.length < 1_000_000) text += d.toString('utf8');
          });
          const end = () => {
            if (status >= 500) this.stats.find('5xx', `${status} ${text.slice(0, 120)}`, input, index);
            else if (status >= 400) {
              let ok = false;
              try {
                const b = JSON.parse(text) as { success?: unknown; error?: unknown; message?: unknown };
                ok = b.success === false && typeof b.error === 'string' && typeof b.message === 'string';
              } catch {
                ok = false;
              }
              if (!ok && text !== '') this.stats.find('unstructured-error', `${status} ${type} ${text.slice(0, 120)}`, input, index);
            } else if (status === 200) {
              if (!type.startsWith('text/event-stream')) this.stats.find('wrong-content-type', type, input, index);
              // Whole lines only: an aborted stream may end in the middle of one.
              const ids = [...text.matchAll(/^id: (\d+)\n/gm)].map((m) => Number(m[1]));
              for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) this.stats.find('order', `id ${ids[i]} after ${ids[i - 1]}`, input, index);
            }
            finish();
          };
          res.on('end', end);
          res.on('close', end);
          res.on('error', () => undefined);
          if (status === 200) setTimeout(() => res.destroy(), abortAfter);
        });
      } catch {
        this.stats.count('unsendable');
        finish();
        return;
      }
      req.on('error', () => {
        if (!done) this.stats.count('aborted');
        finish();
      });
      req.end();
      if (abortAfter === 0 && r.chance(0.5)) void sleep(1).then(() => req.destroy());
    });
  }
}
