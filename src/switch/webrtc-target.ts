/**
 * Whether a leg's INVITEs go to browsers: a contact reached over SIP over WebSocket (RFC 7118 §5: such a
 * client registers `;transport=ws`/`wss`, and its registration's flow is a WebSocket one). A browser only
 * speaks WebRTC media (RFC 8827: DTLS-SRTP, ICE), so its offer must be a WebRTC one (media-engine `webrtc`).
 *
 * A leg forked to browsers and to other phones at once offers each kind its own SDP (fork-media.ts).
 */
import type { RingRequest } from './ring-plan.js';

const WS_PARAM = /;transport=wss?(?=[;>?]|$)/i;

export function isWebSocketRequest(req: RingRequest): boolean {
  const protocol = String(req.destination?.protocol ?? '').toLowerCase();
  if (protocol === 'ws' || protocol === 'wss') return true;
  return WS_PARAM.test(req.requestUri ?? '') || WS_PARAM.test(req.to);
}
