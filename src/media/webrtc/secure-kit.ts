/**
 * What a secure or WebRTC leg needs, in one module the engine imports only when the first such leg comes
 * (werift and libopus take ~0.7 s to load; a Ringside with only G.711 phones never pays it).
 */
import type { Logger } from '../../log/logger.js';
import type { Address } from '../rtp-session.js';
import type { RemoteSecurity } from '../sdp-negotiator.js';
import { dtlsCertificate, type DtlsCertificate } from './dtls-certificate.js';
import { WebRtcTransport, type WebRtcState } from './webrtc-transport.js';
import { SdesTransport, chooseCrypto } from './sdes-transport.js';
import { OpusTranscoder } from './opus-transcoder.js';

export interface SecureKit {
  certificate: DtlsCertificate;
  webrtc(o: { send: (data: Buffer, to: Address) => void; onSelected: (to: Address) => void; onState?: (s: WebRtcState) => void; logger: Logger }): WebRtcTransport;
  /** An SDES transport for the offer's a=crypto lines, or null when none is usable. */
  sdes(remote: RemoteSecurity): SdesTransport | null;
  opus(): OpusTranscoder;
}

export async function loadSecureKit(): Promise<SecureKit> {
  const certificate = await dtlsCertificate();
  return {
    certificate,
    webrtc: (o) => new WebRtcTransport({ ...o, certificate }),
    sdes: (remote) => {
      const c = chooseCrypto(remote);
      return c ? new SdesTransport(c, remote.rtcpMux) : null;
    },
    opus: () => new OpusTranscoder(),
  };
}

export { WebRtcTransport, SdesTransport, OpusTranscoder };
