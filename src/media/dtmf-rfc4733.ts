/**
 * DTMF as RTP telephone-events (RFC 4733): payload format, a detector that reports one digit per event,
 * and the packet sequence to generate one.
 */
import type { RtpPacket } from './rtp-packet.js';

/** Event codes 0-15 are the DTMF digits, 16 is flash (RFC 4733 3.2, Table 3). */
const DIGITS = '0123456789*#ABCD';

export function digitForEvent(event: number): string | null {
  if (event >= 0 && event < 16) return DIGITS[event]!;
  if (event === 16) return '!';
  return null;
}

export function eventForDigit(digit: string): number {
  const d = digit.toUpperCase();
  if (d === '!') return 16;
  const i = DIGITS.indexOf(d);
  if (i < 0 || d.length !== 1) throw new RangeError(`'${digit}' is not a DTMF digit (0-9 * # A-D)`);
  return i;
}

export interface TelephoneEvent {
  event: number;
  end: boolean;
  /** Power level in -dBm0, 0-63 (RFC 4733 2.3.4). */
  volume: number;
  /** Duration so far in timestamp units (RFC 4733 2.3.5). */
  duration: number;
}

/** The 4-octet event payload (RFC 4733 2.3); null when too short. */
export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | null {
  if (payload.length < 4) return null;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function encodeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  const out = new Uint8Array(4);
  out[0] = e.event;
  out[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  out[2] = (e.duration >> 8) & 0xff;
  out[3] = e.duration & 0xff;
  return out;
}

export interface DetectedDigit {
  digit: string;
  durationMs: number;
}

/**
 * Reports each event once. All packets of one event share its RTP timestamp (RFC 4733 2.5.1.2), so the
 * (SSRC, timestamp) pair identifies it; the end packet is sent three times (2.5.1.4) and the copies are
 * ignored. The digit is reported at its end packet; if every end packet is lost, when the next event starts
 * or `endTimeoutMs` after its last packet.
 */
export class DtmfDetector {
  readonly #onDigit: (d: DetectedDigit) => void;
  readonly #clockRate: number;
  readonly #endTimeoutMs: number;
  #current: { key: string; event: number; duration: number; base: number } | null = null;
  #ended: string[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(onDigit: (d: DetectedDigit) => void, options: { clockRate?: number; endTimeoutMs?: number } = {}) {
    this.#onDigit = onDigit;
    this.#clockRate = options.clockRate ?? 8000;
    this.#endTimeoutMs = options.endTimeoutMs ?? 600;
  }

  feed(packet: RtpPacket): void {
    const e = parseTelephoneEvent(packet.payload);
    if (!e || digitForEvent(e.event) === null) return;
    const key = `${packet.ssrc}:${packet.timestamp}`;
    if (this.#ended.includes(key)) return;
    const cur = this.#current;
    if (cur && cur.key !== key) {
      if (cur.event === e.event && !packet.marker) {
        // A long event continues under a new timestamp when its duration overflows 16 bits (2.5.1.3).
        cur.key = key;
        cur.base += cur.duration;
        cur.duration = 0;
      } else this.#finish();
    }
    if (!this.#current) this.#current = { key, event: e.event, duration: 0, base: 0 };
    const c = this.#current;
    c.duration = Math.max(c.duration, e.duration);
    if (e.end) this.#finish();
    else this.#arm();
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#finish(), this.#endTimeoutMs);
    this.#timer.unref();
  }

  #finish(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const c = this.#current;
    if (!c) return;
    this.#current = null;
    this.#ended.push(c.key);
    if (this.#ended.length > 16) this.#ended.shift();
    this.#onDigit({ digit: digitForEvent(c.event)!, durationMs: Math.round(((c.base + c.duration) * 1000) / this.#clockRate) });
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#current = null;
  }
}

export interface GeneratedEventPacket {
  payload: Uint8Array;
  marker: boolean;
}

/**
 * The packets of one digit, one per 20 ms frame: the first with the marker bit, the duration growing by one
 * frame each, and the final packet (E bit) sent three times (RFC 4733 2.5.1.2-2.5.1.4).
 */
export function dtmfEventPackets(digit: string, options: { durationMs?: number; volume?: number; frameSamples?: number; clockRate?: number } = {}): GeneratedEventPacket[] {
  const event = eventForDigit(digit);
  const frame = options.frameSamples ?? 160;
  const rate = options.clockRate ?? 8000;
  const volume = options.volume ?? 10;
  const total = Math.max(frame, Math.round((((options.durationMs ?? 100) * rate) / 1000) / frame) * frame);
  const out: GeneratedEventPacket[] = [];
  for (let d = frame; d < total; d += frame) out.push({ payload: encodeTelephoneEvent({ event, end: false, volume, duration: d }), marker: d === frame });
  for (let i = 0; i < 3; i++) out.push({ payload: encodeTelephoneEvent({ event, end: true, volume, duration: total }), marker: out.length === 0 });
  return out;
}
