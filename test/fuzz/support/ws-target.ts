/**
 * The RealTime WebSocket (src/delivery/realtime-socket.ts, spec realtime §2): connections that send bad
 * frames (binary, broken JSON, non-objects, wrong types, unknown requests, oversized frames, raw bytes on
 * the socket), floods of requests, auth with odd tokens, and stream starts with odd `lastEventId`s (ids
 * seen on the stream among them). Rules: every frame the server sends is a JSON object with a string
 * `type`; no `internal_error`; every request is answered while the socket is open; the server closes only
 * with the codes it documents (1009 too big, 1002 protocol error, 4008 slow consumer).
 */
import WebSocket from 'ws';
import type { Socket } from 'node:net';
import type { Prng } from './prng.js';
import { TargetStats, sleep, type FuzzTarget } from './target.js';

export interface WsTargetOptions {
  host: string;
  port: number;
  adminToken: string;
  userToken: string;
  r: Prng;
}

const EXPECTED_CLOSE = new Set([1000, 1001, 1002, 1005, 1006, 1007, 1009, 4008]);
const REQUESTS = ['authrequest', 'startusereventrequest', 'stopusereventrequest', 'startaccounteventrequest', 'stopaccounteventrequest'];

export class WsTarget implements FuzzTarget {
  readonly stats = new TargetStats('websocket');
  readonly #o: WsTargetOptions;
  readonly #eventIds: string[] = [];

  constructor(o: WsTargetOptions) {
    this.#o = o;
  }

  async run(deadline: () => number): Promise<void> {
    const lanes = [0, 1, 2].map(() => this.#lane(deadline));
    await Promise.all(lanes);
  }

  async #lane(deadline: () => number): Promise<void> {
    while (Date.now() < deadline()) await this.#connection(deadline);
  }

  #frame(r: Prng): { data: string | Buffer; answered: boolean; raw?: boolean; big?: boolean } {
    const token = r.pick([this.#o.adminToken, this.#o.adminToken, this.#o.userToken]);
    const odd = r.pick<unknown>(['', 'x', 0, -1, null, true, [], {}, ['a'], 'a'.repeat(10_000), '\u0000', '😀', 1e308, { $gt: '' }]);
    const lastEventId = this.#eventIds.length && r.chance(0.4) ? r.pick(this.#eventIds) : odd;
    const k = r.int(20);
    if (k < 3) return { data: JSON.stringify({ type: 'authrequest', token: r.chance(0.7) ? token : odd }), answered: true };
    if (k < 7) {
      const type = r.pick(REQUESTS.slice(1));
      const frame: Record<string, unknown> = { type };
      if (r.chance(0.6)) frame.lastEventId = lastEventId;
      if (r.chance(0.2)) frame.extra = odd;
      return { data: JSON.stringify(frame), answered: true };
    }
    if (k === 7) return { data: r.bytes(r.int(200)), answered: true };
    if (k === 8) return { data: r.pick(['{', '', ' ', 'null', '[]', '1', '"authrequest"', '{"type":1}', '{"type":null}', '{"type":{}}', '{"type":"authrequest"', '\ufeff{"type":"authrequest"}', '{"type":"authrequest","token":"\\ud800"}']), answered: true };
    if (k === 9) return { data: JSON.stringify({ type: r.pick(['', 'x', 'authresponse', 'request', 'startusereventrequestx', 'hasOwnProperty', '__proto__', 'constructor', 'toString', 'a'.repeat(5000)]) }), answered: true };
    if (k === 10) return { data: JSON.stringify(r.pick<unknown>([[{ type: 'authrequest' }], 'x', 5, null, { type: ['authrequest'] }])), answered: true };
    if (k === 11) return { data: 'x'.repeat(r.pick([65 * 1024, 200_000])), answered: false, big: true };
    if (k === 12) return { data: r.bytes(r.range(2, 40)), answered: false, raw: true };
    if (k === 13) {
      let v: unknown = { type: 'authrequest', token };
      for (let i = 0; i < 2000; i++) v = { a: v };
      return { data: JSON.stringify({ type: 'startaccounteventrequest', lastEventId: v }), answered: true };
    }
    return { data: JSON.stringify({ type: r.pick(REQUESTS), token, ...(r.chance(0.5) ? { lastEventId } : {}) }), answered: true };
  }

  async #connection(deadline: () => number): Promise<void> {
    const r = this.#o.r;
    const ws = new WebSocket(`ws://${this.#o.host}:${this.#o.port}/`, { maxPayload: 16 * 1024 * 1024 });
    let answers = 0;
    let expected = 0;
    let closedBy: number | undefined;
    let lastInput = '';
    const index = this.stats.sent;
    ws.on('message', (d: Buffer, isBinary: boolean) => {
      let frame: { type?: unknown; success?: unknown; error?: unknown; eventId?: unknown } | undefined;
      try {
        frame = JSON.parse(d.toString()) as typeof frame;
      } catch {
        frame = undefined;
      }
      if (isBinary || !frame || typeof frame !== 'object' || typeof frame.type !== 'string') {
        this.stats.find('bad-frame', `server sent ${d.subarray(0, 100).toString()}`, lastInput, index);
        return;
      }
      if (frame.type === 'userevent' || frame.type === 'accountevent') {
        this.stats.count('event');
        if (typeof frame.eventId === 'string' && this.#eventIds.length < 100) this.#eventIds.push(frame.eventId);
        return;
      }
      answers++;
      this.stats.count(frame.success === true ? 'ok' : 'refused');
      if (frame.error === 'internal_error') this.stats.find('internal-error-frame', JSON.stringify(frame).slice(0, 200), lastInput, index);
    });
    ws.on('error', () => undefined);
    const closed = new Promise<void>((res) => ws.once('close', (code) => {
      closedBy = code;
      res();
    }));
    const opened = await new Promise<boolean>((res) => {
      ws.once('open', () => res(true));
      ws.once('error', () => res(false));
    });
    if (!opened) {
      this.stats.count('connect-failed');
      await sleep(50);
      return;
    }
    const frames = r.pick([1, 5, 20, 200]);
    const flood = frames === 200;
    let poisoned = false;
    for (let i = 0; i < frames && ws.readyState === ws.OPEN && Date.now() < deadline(); i++) {
      const f = this.#frame(r);
      this.stats.sent++;
      lastInput = typeof f.data === 'string' ? f.data : f.data.toString('latin1');
      if (f.raw) {
        // Bytes that are not a valid frame (unmasked, reserved bits): the server closes with 1002.
        (ws as unknown as { _socket: Socket })._socket.write(f.data);
        poisoned = true;
      } else {
        ws.send(f.data, { binary: Buffer.isBuffer(f.data) });
        if (f.answered) expected++;
        if (f.big) poisoned = true;
      }
      if (!flood) await sleep(r.int(20));
    }
    const waitUntil = Date.now() + 2000;
    while (answers < expected && ws.readyState === ws.OPEN && Date.now() < waitUntil) await sleep(20);
    if (ws.readyState === ws.OPEN && answers < expected && !poisoned) this.stats.find('unanswered', `${expected - answers} of ${expected} requests unanswered after 2 s`, lastInput, index);
    if (ws.readyState === ws.OPEN) ws.close();
    else if (ws.readyState !== ws.CLOSED) ws.terminate();
    await Promise.race([closed, sleep(3000)]);
    if (ws.readyState !== ws.CLOSED) ws.terminate();
    this.stats.count(`close-${closedBy ?? 'none'}`);
    if (closedBy !== undefined && !EXPECTED_CLOSE.has(closedBy)) this.stats.find('close-code', `server closed with ${closedBy}`, lastInput, index);
  }
}
