/**
 * The recordings family: `GET /recordings/{id}.wav`, call recordings and voicemail messages — the URL the
 * switch puts in `recording.finished` (teltel `audio_url`, the realtime report's `recording_url` and
 * `voicemail_url`). It belongs to no one dialect's REST. Recording ids carry 128 random bits (media-engine.ts `newRecordingId`, docs/security.md), so the URL
 * itself is the capability, as a webhook receiver fetching `audio_url` has no Ringside login
 * (docs/compatibility.md). One byte range is honoured (RFC 9110 §14), so players can seek.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { authPlugin } from '../shared/auth-plugin.js';

/** What this family needs of the media engine (app/ hands it the engine; api/ knows no media/ internals). */
export interface RecordingSource {
  /** `range` is the request's Range header; 404 when there is no such recording. */
  openRecording(recordingId: string, range?: string): Promise<{ status: number; headers: Record<string, string>; body: Readable | null }>;
}

export interface RecordingsApiOptions {
  store: Store;
  recordings: RecordingSource;
}

const wav = { content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } } as const;

export async function recordingsApi(app: FastifyInstance, { store, recordings }: RecordingsApiOptions): Promise<void> {
  await app.register(authPlugin, { store, stage: 'onRequest' });
  app.get<{ Params: { file: string } }>(
    '/recordings/:file',
    {
      config: { auth: 'public' },
      schema: {
        params: { type: 'object', required: ['file'], properties: { file: { type: 'string', description: '<recording id>.wav' } } },
        headers: { type: 'object', properties: { range: { type: 'string', description: 'one range, bytes=a-b' } } },
        response: {
          200: { description: 'the whole recording', ...wav },
          206: { description: 'the range asked for (Content-Range)', ...wav },
          416: { description: 'a range outside the file; empty body, Content-Range names the size', content: { 'text/plain': { schema: { type: 'string', maxLength: 0 } } } },
          ...errorReplies,
        },
      },
    },
    async (req, reply) => {
      const m = /^(.+)\.wav$/.exec(req.params.file);
      const res = m ? await recordings.openRecording(m[1]!, req.headers.range) : undefined;
      if (!res || res.status === 404) throw new ApiError(404, 'not_found', `no recording ${req.params.file}`);
      reply.code(res.status).headers(res.headers);
      return reply.send(res.body ?? '');
    },
  );
}
