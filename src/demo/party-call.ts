/**
 * One established call of a simulated party: its SIP session (`InviteSession`) and its media endpoint in
 * the party's `MediaEngine`. Talking is real RTP (a tone in G.711 stands in for a voice), digits are
 * RFC 4733 telephone-events, and "hearing a prompt" is watching RTP arrive from Ringside until it pauses.
 */
import type { InviteSession, SessionEndReason } from '../sip/index.js';
import type { MediaEngine } from '../media/media-engine.js';
import { sleep } from './wait.js';

export interface AudioCount {
  sent: number;
  received: number;
}

export interface Heard {
  /** How long RTP kept arriving, from the first packet to the pause (0 when nothing came). */
  ms: number;
  packets: number;
  /** The audio had not paused when the listener stopped waiting (a looping or long prompt). */
  stillPlaying: boolean;
}

export class PartyCall {
  readonly ended: Promise<SessionEndReason>;
  #closed = false;
  #last: AudioCount = { sent: 0, received: 0 };

  constructor(
    /** Who holds this call (`bob`, `carrier`), for the tour's lines. */
    readonly holder: string,
    readonly session: InviteSession,
    readonly endpointId: string,
    readonly media: MediaEngine,
    /** Each party talks on its own frequency, so a recording or a capture shows who was heard. */
    readonly voiceHz: number,
  ) {
    this.ended = session.ended;
    void session.ended.then(() => {
      this.#snapshot();
      this.#closed = true;
      return media.closeEndpoint(endpointId).catch(() => undefined);
    });
  }

  get isUp(): boolean {
    return this.session.state === 'confirmed';
  }

  /** RTP packets sent and received on this call so far (kept after the call ended). */
  audio(): AudioCount {
    this.#snapshot();
    return { ...this.#last };
  }

  #snapshot(): void {
    if (this.#closed) return;
    try {
      const s = this.media.endpointStats(this.endpointId);
      this.#last = { sent: s.packetsSent, received: s.packetsReceived };
    } catch {
      // the endpoint is already closed: keep the last figures
    }
  }

  /** Sends `ms` of audio (a tone on this party's frequency) and resolves when it has been sent. */
  async talk(ms: number): Promise<void> {
    if (!this.isUp) return;
    await this.media.play(this.endpointId, { tone: { frequencies: [this.voiceHz], durationMs: ms, level: 0.2 } }).done;
  }

  /** Presses digits as RFC 4733 telephone-events (100 ms each, 60 ms apart). */
  press(digits: string): Promise<void> {
    return this.media.sendDigits(this.endpointId, digits);
  }

  /**
   * Listens to what Ringside plays (a prompt, a greeting and beep): waits up to `firstWithinMs` for the first
   * RTP packet, then until no packet came for `quietMs`, at most `maxMs` in all.
   */
  async listen(o: { firstWithinMs?: number; quietMs?: number; maxMs?: number } = {}): Promise<Heard> {
    const firstWithin = o.firstWithinMs ?? 4000;
    const quiet = o.quietMs ?? 600;
    const max = o.maxMs ?? 10_000;
    const start = Date.now();
    const base = this.audio().received;
    let seen = base;
    let firstAt: number | undefined;
    let lastAt = start;
    for (;;) {
      await sleep(50);
      const now = Date.now();
      const received = this.audio().received;
      if (received > seen) {
        seen = received;
        firstAt ??= now;
        lastAt = now;
      }
      const packets = seen - base;
      if (!this.isUp) return { ms: firstAt === undefined ? 0 : lastAt - firstAt, packets, stillPlaying: false };
      if (firstAt === undefined && now - start >= firstWithin) return { ms: 0, packets: 0, stillPlaying: false };
      if (firstAt !== undefined && now - lastAt >= quiet) return { ms: lastAt - firstAt, packets, stillPlaying: false };
      if (now - start >= max) return { ms: firstAt === undefined ? 0 : now - firstAt, packets, stillPlaying: true };
    }
  }

  /** Hangs up with BYE (RFC 3261 §15.1.1); nothing when the call has already ended. */
  async hangUp(): Promise<void> {
    if (!this.isUp) return;
    this.#snapshot();
    await this.session.bye().catch(() => undefined);
  }
}

/**
 * Two parties talk at once for `ms`; returns what each received from the other. Audio goes party → Ringside
 * → party (anchored media), so the counts show Ringside relaying RTP both ways.
 */
export async function converse(a: PartyCall, b: PartyCall, ms: number): Promise<{ a: AudioCount; b: AudioCount }> {
  const a0 = a.audio();
  const b0 = b.audio();
  await Promise.all([a.talk(ms), b.talk(ms)]);
  await sleep(150); // the last relayed packets are still on their way
  const a1 = a.audio();
  const b1 = b.audio();
  return {
    a: { sent: a1.sent - a0.sent, received: a1.received - a0.received },
    b: { sent: b1.sent - b0.sent, received: b1.received - b0.received },
  };
}
