/**
 * A scripted RTP peer for loopback tests: one UDP socket that sends packets we build and keeps every
 * packet it receives with its arrival time. Not a fake of Ringside: it stands for the phone.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket } from '../../../src/media/rtp-packet.js';

export interface Received {
  packet: RtpPacket;
  at: number;
}

export class UdpPhone {
  readonly socket: Socket;
  readonly port: number;
  readonly received: Received[] = [];
  seq = 1000;
  ts = 50_000;
  readonly ssrc = Math.floor(Math.random() * 2 ** 32);

  private constructor(socket: Socket) {
    this.socket = socket;
    this.port = socket.address().port;
    socket.on('message', (msg) => {
      const packet = parseRtpPacket(Buffer.from(msg));
      if (packet) this.received.push({ packet: { ...packet, payload: Uint8Array.from(packet.payload) }, at: performance.now() });
    });
  }

  static open(): Promise<UdpPhone> {
    return new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve(new UdpPhone(s)));
    });
  }

  /** An SDP offer; `port` may differ from the socket's to exercise latching (a phone behind NAT). */
  offer(opts: { codecs?: ('PCMU' | 'PCMA')[]; te?: number | null; port?: number; direction?: string } = {}): string {
    const codecs = opts.codecs ?? ['PCMU'];
    const pts = codecs.map((c) => (c === 'PCMU' ? 0 : 8));
    const te = opts.te === undefined ? 101 : opts.te;
    const lines = ['v=0', 'o=phone 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${opts.port ?? this.port} RTP/AVP ${[...pts, ...(te !== null ? [te] : [])].join(' ')}`];
    if (te !== null) lines.push(`a=rtpmap:${te} telephone-event/8000`, `a=fmtp:${te} 0-16`);
    lines.push('a=ptime:20', `a=${opts.direction ?? 'sendrecv'}`);
    return lines.join('\r\n') + '\r\n';
  }

  send(to: number, payloadType: number, payload: Uint8Array, opts: { marker?: boolean; timestamp?: number; advance?: number } = {}): void {
    const buf = serializeRtpPacket({ payloadType, marker: opts.marker ?? false, sequenceNumber: this.seq, timestamp: opts.timestamp ?? this.ts, ssrc: this.ssrc }, payload);
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + (opts.advance ?? payload.length)) >>> 0;
    this.socket.send(buf, to, '127.0.0.1');
  }

  /** Sends frames at 20 ms intervals (absolute schedule). */
  async stream(to: number, payloadType: number, frames: Uint8Array[]): Promise<void> {
    const start = performance.now();
    for (let i = 0; i < frames.length; i++) {
      const wait = start + i * 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.send(to, payloadType, frames[i]!);
    }
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // closed
    }
  }
}

export function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (cond()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else setTimeout(check, 10);
    };
    check();
  });
}
