/**
 * The media endpoints behind a dialled leg's offers. Forks of one kind share one endpoint and one offer
 * (RFC 3261 §16.7: the same offer to every device); a leg whose forks mix browsers (WebSocket contacts,
 * webrtc-target.ts) and other phones needs two kinds of offer — a WebRTC one (SAVPF, DTLS, ICE-lite) for
 * the browsers, a plain RTP/AVP one for the rest — so it gets two endpoints, both opened before any INVITE
 * goes out. The leg holds one of them; the other is kept here. The kind of the fork whose 2xx is being
 * applied decides which one the leg holds (`use`, a swap that closes nothing, so an unusable answer loses
 * nothing); once a fork has won, the other endpoint is closed (`settle`).
 */
import { parseNameAddr } from '../sip/index.js';
import type { MediaControl } from '../media/media-control.js';
import type { Leg } from './leg.js';
import type { RingRequest } from './ring-plan.js';
import { isWebSocketRequest } from './webrtc-target.js';

export class ForkMedia {
  readonly #leg: Leg;
  readonly #media: MediaControl;
  readonly #offers: ReadonlyMap<boolean, string>;
  /** Whether the endpoint the leg holds is the WebRTC one. */
  #legWebrtc: boolean;
  /** The endpoint of the other kind, while the leg's forks are mixed and none has won. */
  #other?: string;

  private constructor(leg: Leg, media: MediaControl, offers: Map<boolean, string>, legWebrtc: boolean, other?: string) {
    this.#leg = leg;
    this.#media = media;
    this.#offers = offers;
    this.#legWebrtc = legWebrtc;
    if (other !== undefined) this.#other = other;
  }

  /**
   * Opens the endpoints `requests` need (one per kind), the leg holding the first. Rejects with the media
   * engine's error, leaving no endpoint open.
   */
  static async open(leg: Leg, media: MediaControl, requests: readonly RingRequest[]): Promise<ForkMedia> {
    const first = requests.find((r) => !isWebSocketRequest(r));
    const browser = requests.find(isWebSocketRequest);
    if (!first || !browser) {
      const webrtc = first === undefined && browser !== undefined;
      const offer = await leg.openMedia(undefined, peerHost(requests[0]), { webrtc });
      return new ForkMedia(leg, media, new Map([[webrtc, offer]]), webrtc);
    }
    const [plain, web] = await Promise.allSettled([
      leg.openMedia(undefined, peerHost(first)),
      media.openEndpoint(leg.legId, undefined, peerHost(browser), { webrtc: true }),
    ]);
    if (plain.status === 'rejected' || web.status === 'rejected') {
      leg.releaseMedia();
      if (web.status === 'fulfilled') closeQuietly(leg, media, web.value.endpointId);
      throw plain.status === 'rejected' ? plain.reason : (web as PromiseRejectedResult).reason;
    }
    return new ForkMedia(leg, media, new Map([[false, plain.value], [true, web.value.sdp]]), false, web.value.endpointId);
  }

  /** The offer for one fork's request. */
  offerFor(req: RingRequest): string {
    return this.#offers.get(isWebSocketRequest(req)) ?? this.#offers.get(this.#legWebrtc)!;
  }

  /** A fork of this kind (`webrtc`: a browser's) answered: the leg holds that kind's endpoint from now on. */
  use(webrtc: boolean): void {
    if (webrtc === this.#legWebrtc || this.#other === undefined) return;
    const held = this.#leg.endpointId!;
    this.#leg.handOverMedia();
    this.#leg.adoptMedia(this.#other);
    this.#other = held;
    this.#legWebrtc = webrtc;
  }

  /** A fork won: the endpoint of the other kind is not needed. */
  settle(): void {
    const other = this.#other;
    if (other === undefined) return;
    this.#other = undefined;
    closeQuietly(this.#leg, this.#media, other);
  }

  /** The leg will not be answered: every endpoint goes (once). */
  release(): void {
    this.settle();
    this.#leg.releaseMedia();
  }
}

function closeQuietly(leg: Leg, media: MediaControl, endpointId: string): void {
  media.closeEndpoint(endpointId).catch((err: unknown) => leg.log.warn({ err, endpointId }, 'closing a media endpoint failed'));
}

/** Where a request goes, as far as known before resolving it: the address the SDP offer should suit. */
function peerHost(req: RingRequest | undefined): string | undefined {
  if (!req) return undefined;
  if (req.destination) return req.destination.host;
  try {
    const target = req.requestUri ?? req.to;
    return parseNameAddr(target.includes('<') ? target : `<${target}>`).uri.host;
  } catch {
    return undefined;
  }
}
