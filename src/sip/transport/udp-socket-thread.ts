/**
 * The UDP sockets' system calls on a thread of their own. On a busy switch `sendmsg` was the largest single
 * cost of the event loop (19 % of it at 400 calls/s on a 2-core machine: loopback delivery and waking the
 * peer happen inside the sender's call). Here one worker per process owns every SIP UDP socket: the loop
 * hands it each turn's outgoing datagrams in one message, and gets the datagrams that arrived in one
 * message per worker turn, in arrival order.
 *
 * The worker buffers what it read until the loop acknowledges it, up to the socket's receive buffer size;
 * past that it drops datagrams and counts them, as the kernel would have (a busy loop never makes the
 * worker's memory grow without bound). The receive-delay probe (receive-delay-probe.ts) still measures the
 * whole wait: its datagrams queue behind the others in the socket, the worker and the loop.
 *
 * The worker's code is plain JavaScript run with `eval`: it needs no loader, so tests running the sources
 * through tsx start it as fast as the built code does.
 */
import { Worker } from 'node:worker_threads';

/** A datagram that arrived, from `host`:`port`. */
export type DatagramHandler = (data: Buffer, host: string, port: number) => void;

interface Bound {
  port: number;
  receiveBufferBytes: number;
}

interface SocketEntry {
  onDatagram: DatagramHandler;
  onDropped: (count: number) => void;
  closed?: () => void;
}

/** A receive-delay probe's header, how often to send it, and where the socket reaches itself. */
export interface ProbeSettings {
  header: Uint8Array;
  intervalMs: number;
  self: string;
}

interface PendingSend {
  resolve: () => void;
  reject: (err: Error) => void;
}

const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const dgram = require('node:dgram');
const sockets = new Map(); // id -> { socket, probeTimer }
let unacked = 0; // bytes posted to the loop and not acknowledged yet
let inBytes = [];
let inItems = [];
let inSize = 0;
let flushing = false;
const dropped = new Map(); // id -> count since the last report

function flushIn() {
  flushing = false;
  if (inItems.length === 0 && dropped.size === 0) return;
  const bytes = new Uint8Array(inSize);
  let offset = 0;
  for (const b of inBytes) { bytes.set(b, offset); offset += b.length; }
  const drops = dropped.size > 0 ? [...dropped] : undefined;
  dropped.clear();
  parentPort.postMessage({ op: 'in', bytes: bytes.buffer, items: inItems, drops }, [bytes.buffer]);
  inBytes = []; inItems = []; inSize = 0;
}

function onMessage(id, limit, data, rinfo) {
  if (unacked + data.length > limit) { dropped.set(id, (dropped.get(id) || 0) + 1); }
  else {
    unacked += data.length;
    inBytes.push(data);
    inItems.push(id, data.length, rinfo.address, rinfo.port);
    inSize += data.length;
  }
  if (!flushing) { flushing = true; setImmediate(flushIn); }
}

parentPort.on('message', (m) => {
  switch (m.op) {
    case 'bind': {
      const socket = dgram.createSocket({ type: m.type, recvBufferSize: m.recvBufferSize });
      const fail = (err) => parentPort.postMessage({ op: 'bind-error', id: m.id, code: err.code, message: err.message });
      socket.once('error', fail);
      socket.bind(m.port, m.host, () => {
        socket.off('error', fail);
        socket.on('error', () => {}); // ICMP errors on connected paths; sends report their own
        const limit = socket.getRecvBufferSize();
        const port = socket.address().port;
        const entry = { socket, probeTimer: undefined };
        sockets.set(m.id, entry);
        socket.on('message', (data, rinfo) => onMessage(m.id, limit, data, rinfo));
        if (m.probe) {
          // receive-delay-probe.ts: header, then the send time in ms since the epoch.
          const header = Buffer.from(m.probe.header);
          entry.probeTimer = setInterval(() => {
            const probe = Buffer.allocUnsafe(24);
            header.copy(probe, 0);
            probe.writeDoubleBE(performance.timeOrigin + performance.now(), 16);
            try { socket.send(probe, port, m.probe.self); } catch {}
          }, m.probe.intervalMs);
        }
        parentPort.postMessage({ op: 'bound', id: m.id, port, receiveBufferBytes: limit });
      });
      break;
    }
    case 'send': {
      if (m.ack) unacked = Math.max(0, unacked - m.ack);
      const items = m.items;
      if (!items) break;
      const bytes = new Uint8Array(m.bytes);
      let offset = 0;
      const failed = [];
      let left = items.length / 5;
      const done = () => { if (--left === 0) parentPort.postMessage({ op: 'sent', from: items[1], upTo: items[items.length - 4], failed }); };
      for (let i = 0; i < items.length; i += 5) {
        const id = items[i], seq = items[i + 1], length = items[i + 2], host = items[i + 3], port = items[i + 4];
        const data = bytes.subarray(offset, offset + length);
        offset += length;
        const socket = sockets.get(id)?.socket;
        if (!socket) { failed.push(seq, 'UDP transport closed'); done(); continue; }
        try {
          socket.send(data, port, host, (err) => { if (err) failed.push(seq, err.message); done(); });
        } catch (err) { failed.push(seq, err.message); done(); }
      }
      break;
    }
    case 'close': {
      const entry = sockets.get(m.id);
      sockets.delete(m.id);
      if (!entry) { parentPort.postMessage({ op: 'closed', id: m.id }); break; }
      clearInterval(entry.probeTimer);
      entry.socket.close(() => parentPort.postMessage({ op: 'closed', id: m.id }));
      break;
    }
  }
});
`;

/** The process's UDP socket thread: started with the first socket, stopped with the last. */
class UdpSocketThread {
  #worker: Worker | undefined;
  #nextId = 1;
  #nextSeq = 1;
  readonly #sockets = new Map<number, SocketEntry>();
  readonly #binding = new Map<number, { resolve: (b: Bound) => void; reject: (err: Error) => void }>();
  readonly #pending = new Map<number, PendingSend>();
  #outItems: (number | string)[] = [];
  #outData: Buffer[] = [];
  #outSize = 0;
  #ack = 0;
  #flushScheduled = false;

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (m: WorkerReply) => this.#onReply(m));
    worker.on('error', (err) => this.#failAll(err));
    this.#worker = worker;
    return worker;
  }

  /** `probe`: the thread sends the socket a receive-delay probe every `intervalMs` (receive-delay-probe.ts). */
  bind(type: 'udp4' | 'udp6', host: string, port: number, recvBufferSize: number, onDatagram: DatagramHandler, onDropped: (count: number) => void, probe?: ProbeSettings): Promise<{ id: number } & Bound> {
    const worker = this.#start();
    const id = this.#nextId++;
    this.#sockets.set(id, { onDatagram, onDropped });
    return new Promise((resolve, reject) => {
      this.#binding.set(id, { resolve: (b) => resolve({ id, ...b }), reject });
      worker.postMessage({ op: 'bind', id, type, host, port, recvBufferSize, probe });
    }).catch((err: unknown) => {
      this.#sockets.delete(id);
      this.#stopIfIdle();
      throw err;
    }) as Promise<{ id: number } & Bound>;
  }

  /** Queues a datagram for this turn's batch; resolves once the worker's send completed. */
  send(id: number, data: Buffer, host: string, port: number): Promise<void> {
    if (!this.#sockets.has(id)) return Promise.reject(new Error('UDP transport closed'));
    const seq = this.#nextSeq++;
    this.#outItems.push(id, seq, data.length, host, port);
    this.#outData.push(data);
    this.#outSize += data.length;
    this.#schedule();
    return new Promise((resolve, reject) => this.#pending.set(seq, { resolve, reject }));
  }

  close(id: number): Promise<void> {
    const entry = this.#sockets.get(id);
    if (!entry || !this.#worker) return Promise.resolve();
    this.#flush();
    return new Promise((resolve) => {
      entry.closed = resolve;
      this.#worker!.postMessage({ op: 'close', id });
    });
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (!this.#worker || (this.#outItems.length === 0 && this.#ack === 0)) return;
    const ack = this.#ack;
    this.#ack = 0;
    if (this.#outItems.length === 0) {
      this.#worker.postMessage({ op: 'send', ack });
      return;
    }
    // One compact buffer, moved (not copied) to the worker: a Buffer's own memory may be a shared pool.
    const bytes = new Uint8Array(this.#outSize);
    let offset = 0;
    for (const d of this.#outData) {
      bytes.set(d, offset);
      offset += d.length;
    }
    this.#worker.postMessage({ op: 'send', ack, items: this.#outItems, bytes: bytes.buffer }, [bytes.buffer]);
    this.#outItems = [];
    this.#outData = [];
    this.#outSize = 0;
  }

  #onReply(m: WorkerReply): void {
    switch (m.op) {
      case 'in': {
        const bytes = Buffer.from(m.bytes);
        const items = m.items;
        let offset = 0;
        let received = 0;
        for (let i = 0; i < items.length; i += 4) {
          const length = items[i + 1] as number;
          const entry = this.#sockets.get(items[i] as number);
          // Its own memory, as a socket read gives it: a message kept for a call (its SDP) must not keep
          // the whole batch alive.
          const data = Buffer.allocUnsafeSlow(length);
          bytes.copy(data, 0, offset, offset + length);
          offset += length;
          received += length;
          if (entry && !entry.closed) entry.onDatagram(data, items[i + 2] as string, items[i + 3] as number);
        }
        if (m.drops) for (const [id, n] of m.drops) this.#sockets.get(id)?.onDropped(n);
        // What the batch answered goes out now, with the acknowledgement: the loop may have more batches
        // queued (a port's messages are read in one go), and answers must not wait for all of them.
        this.#ack += received;
        this.#flush();
        return;
      }
      case 'sent': {
        const failed = new Map<number, string>();
        for (let i = 0; i < m.failed.length; i += 2) failed.set(m.failed[i] as number, m.failed[i + 1] as string);
        // A batch's sequence numbers are consecutive: from..upTo are settled.
        for (let seq = m.from; seq <= m.upTo; seq++) {
          const p = this.#pending.get(seq);
          if (!p) continue;
          this.#pending.delete(seq);
          const why = failed.get(seq);
          if (why === undefined) p.resolve();
          else p.reject(new Error(why));
        }
        return;
      }
      case 'bound':
        this.#binding.get(m.id)?.resolve({ port: m.port, receiveBufferBytes: m.receiveBufferBytes });
        this.#binding.delete(m.id);
        return;
      case 'bind-error': {
        const err = Object.assign(new Error(m.message), { code: m.code });
        this.#binding.get(m.id)?.reject(err);
        this.#binding.delete(m.id);
        return;
      }
      case 'closed': {
        const entry = this.#sockets.get(m.id);
        this.#sockets.delete(m.id);
        entry?.closed?.();
        this.#stopIfIdle();
        return;
      }
    }
  }

  #stopIfIdle(): void {
    if (this.#sockets.size > 0 || !this.#worker) return;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error('UDP transport closed'));
    void worker.terminate();
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    for (const b of this.#binding.values()) b.reject(err);
    this.#binding.clear();
  }
}

type WorkerReply =
  | { op: 'in'; bytes: ArrayBuffer; items: (number | string)[]; drops?: [number, number][] }
  | { op: 'sent'; from: number; upTo: number; failed: (number | string)[] }
  | { op: 'bound'; id: number; port: number; receiveBufferBytes: number }
  | { op: 'bind-error'; id: number; code?: string; message: string }
  | { op: 'closed'; id: number };

export const udpSocketThread = new UdpSocketThread();
