/**
 * The tour's cast: the three demo users' phones (alice, bob, carol on 127.0.0.1) and the carrier (the trunk
 * peer, 127.0.0.2), each with media from a `MediaEngine` of the tour's own. Opened in two steps because a
 * standalone Ringside is configured with the carrier's port: first the carrier (`open`), then, once
 * Ringside's SIP address is known, the phones (`meet`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaEngine } from '../media/media-engine.js';
import type { Logger } from '../log/logger.js';
import { SimulatedCarrier } from './simulated-carrier.js';
import { SimulatedPhone, type PhoneUser, type SipServer } from './simulated-phone.js';
import type { Narrate } from './simulated-party.js';

/** The demo users of examples/demo.yaml: SIP username = extension, and their SIP passwords. */
export const DEMO_PHONES: readonly PhoneUser[] = [
  { name: 'alice', displayName: 'Alice', username: '101', password: 'alice-sip-101' },
  { name: 'bob', displayName: 'Bob', username: '102', password: 'bob-sip-102' },
  { name: 'carol', displayName: 'Carol', username: '103', password: 'carol-sip-103' },
];

/** RTP ports of the tour's own media (Ringside's are 10000-20000 by default; a standalone one's below). */
export const CAST_RTP_PORTS = '40000-40999';

/** Each party talks on its own tone, so a capture or a voicemail recording shows who was heard. */
const VOICES: Record<string, number> = { alice: 440, bob: 523, carol: 659, carrier: 330 };

export interface CastOptions {
  /** Where the carrier binds SIP and RTP: examples/demo.yaml's trunk is 127.0.0.2:5090. Port 0 = any. */
  carrier: { host: string; port: number };
  say: Narrate;
  logger: Logger;
}

export class TourCast {
  readonly carrier: SimulatedCarrier;
  readonly #media: MediaEngine[];
  readonly #dir: string;
  readonly #o: CastOptions;
  #phones: SimulatedPhone[] = [];

  private constructor(o: CastOptions, carrier: SimulatedCarrier, media: MediaEngine[], dir: string) {
    this.#o = o;
    this.carrier = carrier;
    this.#media = media;
    this.#dir = dir;
  }

  /** Binds the carrier (SIP and its media engine) and the phones' media engine. */
  static async open(o: CastOptions): Promise<TourCast> {
    const dir = mkdtempSync(join(tmpdir(), 'ringside-demo-cast-'));
    const logger = o.logger.child({ component: 'demo' });
    const phoneMedia = new MediaEngine({ rtpPorts: CAST_RTP_PORTS, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir: dir, logger });
    const carrierMedia = new MediaEngine({ rtpPorts: CAST_RTP_PORTS, bindAddress: o.carrier.host, advertisedAddress: o.carrier.host, dataDir: dir, logger });
    try {
      const carrier = await SimulatedCarrier.start(o.carrier.host, o.carrier.port, carrierMedia, VOICES.carrier!, o.say, logger);
      return new TourCast(o, carrier, [phoneMedia, carrierMedia], dir);
    } catch (err) {
      await Promise.all([phoneMedia.close(), carrierMedia.close()]);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Where the carrier's SIP listens (the trunk's host and port). */
  get carrierPort(): number {
    return this.carrier.stack.port;
  }

  /** Tells the carrier where Ringside is and starts the phones (not registered yet). */
  async meet(server: SipServer): Promise<void> {
    this.carrier.ringside = server;
    const logger = this.#o.logger.child({ component: 'demo' });
    for (const user of DEMO_PHONES) {
      this.#phones.push(await SimulatedPhone.start(user, server, this.#media[0]!, VOICES[user.name] ?? 440, this.#o.say, logger));
    }
  }

  get phones(): readonly SimulatedPhone[] {
    return this.#phones;
  }

  phone(name: 'alice' | 'bob' | 'carol'): SimulatedPhone {
    const p = this.#phones.find((x) => x.name === name);
    if (!p) throw new Error(`no phone ${name}: call meet() first`);
    return p;
  }

  /** Hangs up whatever a step left behind, on every party. */
  async reset(): Promise<void> {
    await Promise.all([this.carrier, ...this.#phones].map((p) => p.reset()));
  }

  /** Unregisters the phones, closes every stack and media engine, removes the temporary directory. */
  async close(): Promise<void> {
    await Promise.all([this.carrier, ...this.#phones].map((p) => p.close().catch(() => undefined)));
    await Promise.all(this.#media.map((m) => m.close().catch(() => undefined)));
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
