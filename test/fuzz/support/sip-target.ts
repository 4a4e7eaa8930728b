/**
 * The live SIP listeners, UDP and TCP, of Ringside under test. Each input is a seed (sip-corpus.ts)
 * addressed at the server, then mutated (sip-mutator.ts); half the UDP inputs come from 127.0.0.2, the
 * carrier trunk's address, so they reach the switch and not only the registrar's challenge. Answers are
 * counted by class; an input with no answer counts as dropped (`none`). A 500 (Server Internal Error) is a
 * finding: bad input must get a 4xx or be dropped (RFC 3261 21.4.1, RFC 4475 §3.1.2).
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import type { Prng } from './prng.js';
import { address } from './sip-corpus.js';
import { mutateSip } from './sip-mutator.js';
import { TargetStats, sleep, statusClass, type FuzzTarget } from './target.js';

export interface SipTargetOptions {
  host: string;
  port: number;
  /** Local addresses to send from (the first is the phone side, the second the carrier). */
  from: string[];
  seeds: () => Buffer[];
  r: Prng;
  /** Inputs per second, roughly (the campaign's budget for this target). */
  rate: number;
}

const STATUS = /^SIP\/2\.0 (\d{3})/;

function answer(stats: TargetStats, status: number, input: Buffer, index: number, line: string): void {
  // 5xx by code: 501 (unknown method) and 503 (no route to the callee) are answers, 500 is a bug.
  stats.count(status >= 500 ? String(status) : statusClass(status));
  if (status === 500) stats.find('5xx', line, input.toString('latin1'), index);
}

export class SipUdpTarget implements FuzzTarget {
  readonly stats = new TargetStats('sip-udp');
  readonly #o: SipTargetOptions;
  /** Inputs awaiting a final answer, by Call-ID prefix `f<index>-`. */
  readonly #pending = new Map<number, Buffer>();

  constructor(o: SipTargetOptions) {
    this.#o = o;
  }

  async run(deadline: () => number): Promise<void> {
    const sockets: Socket[] = [];
    for (const host of this.#o.from) {
      const s = createSocket('udp4');
      s.on('error', () => this.stats.count('socket-error'));
      s.on('message', (d) => this.#onAnswer(d));
      await new Promise<void>((res) => s.bind(0, host, () => res()));
      sockets.push(s);
    }
    const { r } = this.#o;
    const gap = 1000 / this.#o.rate;
    let next = Date.now();
    try {
      while (Date.now() < deadline()) {
        const i = this.stats.sent;
        const sock = sockets[i % sockets.length]!;
        const via = `${sock.address().address}:${sock.address().port}`;
        const seed = address(r.pick(this.#o.seeds()), { via, transport: 'UDP', server: `${this.#o.host}:${this.#o.port}`, index: i });
        // One input in eight goes unmutated: the valid path under the same load.
        const data = r.chance(0.125) ? seed : mutateSip(seed, r).data;
        if (data.length > 65_000) continue; // not one datagram
        this.stats.sent++;
        this.#pending.set(i, data);
        sock.send(data, this.#o.port, this.#o.host);
        next += gap;
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
        else if (i % 20 === 0) await sleep(0);
        if (this.#pending.size > 5000) {
          this.#pending.delete(this.#pending.keys().next().value!);
          this.stats.count('none');
        }
      }
      await sleep(600); // late answers
    } finally {
      for (const s of sockets) s.close();
    }
    this.stats.count('none', this.#pending.size);
  }

  #onAnswer(d: Buffer): void {
    const text = d.toString('latin1');
    const m = STATUS.exec(text);
    if (!m) {
      this.stats.count('request-back'); // Ringside's own request (a BYE, a retransmitted 200's ACK wait): fine
      return;
    }
    const status = Number(m[1]);
    const id = /\r\n(?:Call-ID|i) *: *f(\d+)-/i.exec(text);
    const index = id ? Number(id[1]) : -1;
    if (status < 200) return void this.stats.count(statusClass(status));
    const input = this.#pending.get(index);
    this.#pending.delete(index);
    answer(this.stats, status, input ?? d, index, text.split('\r\n')[0]!);
  }
}

export class SipTcpTarget implements FuzzTarget {
  readonly stats = new TargetStats('sip-tcp');
  readonly #o: SipTargetOptions;

  constructor(o: SipTargetOptions) {
    this.#o = o;
  }

  async run(deadline: () => number): Promise<void> {
    const { r } = this.#o;
    const gap = 1000 / this.#o.rate;
    while (Date.now() < deadline()) {
      const sock = connect({ port: this.#o.port, host: this.#o.host, localAddress: r.pick(this.#o.from) });
      let closed = false;
      let buffered = '';
      const inputs = new Map<number, Buffer>();
      sock.on('error', () => (closed = true));
      sock.on('close', () => (closed = true));
      sock.on('data', (d: Buffer) => {
        buffered += d.toString('latin1');
        // Count each status line at the start of a message in the stream.
        let at: number;
        while ((at = buffered.indexOf('\r\n\r\n')) >= 0) {
          const head = buffered.slice(0, at);
          buffered = buffered.slice(at + 4);
          const m = STATUS.exec(head);
          if (!m) continue;
          const status = Number(m[1]);
          const id = /\r\n(?:Call-ID|i) *: *f(\d+)-/i.exec(head);
          const index = id ? Number(id[1]) : -1;
          if (status >= 200) answer(this.stats, status, inputs.get(index) ?? Buffer.from(head, 'latin1'), index, head.split('\r\n')[0]!);
          else this.stats.count(statusClass(status));
        }
        if (buffered.length > 1e6) buffered = '';
      });
      await new Promise<void>((res) => sock.once('connect', () => res()).once('error', () => res()));
      const perConnection = r.pick([1, 5, 20, 100]);
      for (let k = 0; k < perConnection && !closed && Date.now() < deadline(); k++) {
        const i = this.stats.sent++;
        const local = `${sock.localAddress ?? '127.0.0.1'}:${sock.localPort ?? 0}`;
        const seed = address(r.pick(this.#o.seeds()), { via: local, transport: 'TCP', server: `${this.#o.host}:${this.#o.port}`, index: i });
        const data = r.chance(0.125) ? seed : mutateSip(seed, r).data;
        inputs.set(i, data);
        // Split at random points: partial and pipelined reads of the stream framing (RFC 3261 18.3).
        const cuts = [0, ...Array.from({ length: r.int(3) }, () => r.int(data.length + 1)).sort((a, b) => a - b), data.length];
        for (let c = 0; c + 1 < cuts.length && !closed; c++) sock.write(data.subarray(cuts[c], cuts[c + 1]));
        await sleep(gap);
      }
      // Sometimes a half-written message and a hang-up, sometimes a clean end after the answers.
      if (r.chance(0.2)) sock.write(Buffer.from('INVITE sip:x SIP/2.0\r\nContent-Length: 500\r\n\r\npartial'));
      await sleep(r.chance(0.5) ? 200 : 10);
      sock.destroy();
    }
  }
}
