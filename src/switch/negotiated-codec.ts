/** The codec a leg negotiated, for `leg.media-ready` (nothing when it is unknown). The leg keeps what its
 *  offer/answer returned, so this asks the media engine nothing. */
import type { Leg } from './leg.js';

export function codecOf(leg: Leg): { codec?: string } {
  return leg.codec ? { codec: leg.codec } : {};
}
