/**
 * Whether a leg's INVITEs go to browsers: a contact reached over SIP over WebSocket (RFC 7118 §5: such a
 * client registers `;transport=ws`/`wss`, and its registration's flow is a WebSocket one). A browser only
 * speaks WebRTC media (RFC 8827: DTLS-SRTP, ICE), so its offer must be a WebRTC one (media-engine `webrtc`).
 *
 * One leg has one endpoint and one offer for all its forks: the offer is WebRTC when every fork goes to a
 * WebSocket contact. A user with a browser and a desk phone registered at once gets a plain offer, which
 * the browser refuses (docs/compatibility.md).
 */
import type { RingRequest } from './ring-plan.js';

const WS_PARAM = /;transport=wss?(?=[;>?]|$)/i;

export function isWebSocketRequest(req: RingRequest): boolean {
  const protocol = String(req.destination?.protocol ?? '').toLowerCase();
  if (protocol === 'ws' || protocol === 'wss') return true;
  return WS_PARAM.test(req.requestUri ?? '') || WS_PARAM.test(req.to);
}

export function wantsWebrtc(requests: readonly RingRequest[]): boolean {
  return requests.length > 0 && requests.every(isWebSocketRequest);
}
