/** The codec an endpoint negotiated, for `leg.media-ready` (nothing when it is unknown). */
import type { MediaControl } from '../media/media-control.js';

export async function codecOf(media: MediaControl, endpointId: string): Promise<{ codec?: string }> {
  try {
    const codec = (await media.endpointStats(endpointId)).codec;
    return codec ? { codec } : {};
  } catch {
    return {};
  }
}
