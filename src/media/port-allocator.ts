/**
 * RTP/RTCP port pairs from a configured range (`--rtp-ports 10000-20000`). RTP takes the even port and RTCP
 * the next odd one (RFC 3550 11). Allocation walks the range round-robin so a port just released is not
 * handed out again at once, keeping late packets of an old call away from a new one.
 */
import { createSocket, type Socket } from 'node:dgram';
import { PortsExhaustedError } from './errors.js';

export interface PortRange {
  min: number;
  max: number;
}

export interface PortPair {
  port: number;
  rtpSocket: Socket;
  rtcpSocket: Socket;
}

/** Parses `10000-20000`; the range is narrowed to whole even/odd pairs. */
export function parsePortRange(text: string): PortRange {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!m) throw new RangeError(`RTP port range must look like 10000-20000, got '${text}'`);
  return checkRange({ min: Number(m[1]), max: Number(m[2]) });
}

function checkRange(r: PortRange): PortRange {
  const min = r.min % 2 === 0 ? r.min : r.min + 1;
  const max = r.max;
  if (min < 1024 || max > 65535 || max < min + 1) throw new RangeError(`RTP port range ${r.min}-${r.max} holds no even/odd pair above 1023`);
  return { min, max };
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

function closeQuietly(s: Socket): void {
  try {
    s.close();
  } catch {
    // already closed
  }
}

export class PortAllocator {
  readonly range: PortRange;
  readonly address: string;
  #next: number;
  #inUse = new Set<number>();

  constructor(options: { range?: PortRange | string; address?: string } = {}) {
    const r = options.range ?? { min: 10000, max: 20000 };
    this.range = typeof r === 'string' ? parsePortRange(r) : checkRange(r);
    this.address = options.address ?? '0.0.0.0';
    this.#next = this.range.min;
  }

  get pairCount(): number {
    return Math.floor((this.range.max - this.range.min + 1) / 2);
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /** Binds a free pair; ports taken by other processes are skipped. */
  async allocate(): Promise<PortPair> {
    for (let tries = 0; tries < this.pairCount; tries++) {
      const port = this.#next;
      this.#next += 2;
      if (this.#next + 1 > this.range.max) this.#next = this.range.min;
      if (this.#inUse.has(port)) continue;
      this.#inUse.add(port);
      const rtpSocket = createSocket({ type: 'udp4' });
      const rtcpSocket = createSocket({ type: 'udp4' });
      try {
        await bind(rtpSocket, port, this.address);
        await bind(rtcpSocket, port + 1, this.address);
        return { port, rtpSocket, rtcpSocket };
      } catch {
        closeQuietly(rtpSocket);
        closeQuietly(rtcpSocket);
        this.#inUse.delete(port);
      }
    }
    throw new PortsExhaustedError(this.range.min, this.range.max);
  }

  release(port: number): void {
    this.#inUse.delete(port);
  }
}
