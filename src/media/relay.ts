/**
 * Anchored two-party relay: each leg's RTP terminates on Ringside and is re-sent to the other leg, so
 * recording and DTMF detection always see the audio. Payload passes through untouched when both legs
 * negotiated the same law, and is transcoded PCMU↔PCMA byte by byte when they did not. Telephone-events
 * are re-sent with the other leg's payload type (RFC 4733 relayed end to end).
 *
 * Timestamps from one source SSRC keep their spacing on the way out; the out leg's RtpSender re-bases them
 * when the source changes, so a source change upstream is one discontinuity (marker set), not a new stream.
 */
import type { Endpoint } from './endpoint.js';
import type { RtpPacket } from './rtp-packet.js';

export class Relay {
  readonly a: Endpoint;
  readonly b: Endpoint;
  forwarded = 0;
  #detach: (() => void)[] = [];

  constructor(a: Endpoint, b: Endpoint) {
    this.a = a;
    this.b = b;
    this.#wire(a, b);
    this.#wire(b, a);
  }

  #wire(from: Endpoint, to: Endpoint): void {
    const onMedia = (p: RtpPacket): void => {
      const codec = from.relayCodec;
      if (codec && to.sendEncoded(codec, p.payload, `relay:${from.id}:${p.ssrc}`, p.timestamp, p.marker)) this.forwarded++;
    };
    const onEvent = (p: RtpPacket): void => {
      if (to.sendTelephoneEvent(p.payload, `relay:${from.id}:${p.ssrc}`, p.timestamp, p.marker)) this.forwarded++;
    };
    from.on('media', onMedia);
    from.on('telephone-event', onEvent);
    this.#detach.push(() => {
      from.off('media', onMedia);
      from.off('telephone-event', onEvent);
    });
  }

  close(): void {
    for (const d of this.#detach) d();
    this.#detach = [];
  }
}
