/**
 * `GET /recordings/{id}.wav`: call recordings and voicemail messages, the URL the switch puts in
 * `recording.finished` (teltel `audio_url`). Recording ids carry 64 random bits, so the URL itself is the
 * capability, as a webhook receiver fetching `audio_url` has no Ringside login (docs/compatibility.md).
 * One byte range is honoured (RFC 9110 §14), so players can seek.
 */
import type { FastifyInstance } from 'fastify';
import type { MediaControl } from '../media/media-control.js';
import { fail } from './reply.js';

export function registerRecordingRoutes(app: FastifyInstance, media: Pick<MediaControl, 'openRecording'>): void {
  app.get<{ Params: { file: string } }>('/recordings/:file', async (req, reply) => {
    const m = /^(.+)\.wav$/.exec(req.params.file);
    const res = m ? await media.openRecording(m[1]!, req.headers.range) : undefined;
    if (!res || res.status === 404) return fail(reply, 404, 'not_found', `no recording ${req.params.file}`);
    reply.code(res.status).headers(res.headers);
    return reply.send(res.body ?? '');
  });
}
