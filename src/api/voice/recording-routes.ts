/**
 * Recordings and their media (spec bandwidth §3.9): `GET /recordings[/{id}]` from the store, and the
 * recording's file at its `media` URL, `GET /media/{recordingId}.wav` — authenticated like every route of
 * the family, one byte range honoured (RFC 9110 §14) as recordings/recordings-api.ts does.
 * Transcriptions and their text (`/media/tr-…`) are transcription-routes.ts's.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { VoiceControl } from '../../switch/voice/voice-control.js';
import { contextOf } from './voice-context.js';
import { notFound, voiceErrorReplies } from './voice-error.js';
import { linkNext, readPage, type PageParams } from './voice-paging.js';
import { listQuery, pathParams } from './voice-schemas.js';
import { recordingSchema, recordingView } from './voice-views.js';
import { needVoice, ok, okList, valueOf } from './voice-replies.js';

const wav = { content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } } as const;

export async function recordingRoutes(app: FastifyInstance, { store, voice }: { store: Store; voice?: VoiceControl }): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };

  const found = async (accountId: string, id: string) => {
    const r = await store.getVoiceResource(accountId, 'recording', id);
    if (!r || r.accountId !== accountId) throw notFound('recording-not-found', 'recording', id);
    return r;
  };

  app.get('/:userId/recordings', { config, schema: { params: pathParams(), querystring: listQuery(), response: okList(recordingSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const p = req.query as PageParams;
    const { items, more } = await readPage(p, (page, size) => store.listVoiceResources(c.accountId, 'recording', { page, size }));
    linkNext(req, reply, c, p, more);
    return items.map((r) => recordingView(c, r));
  });

  app.get('/:userId/recordings/:recordingId', { config, schema: { params: pathParams('recordingId'), response: ok(recordingSchema) } }, async (req) => {
    const c = contextOf(req);
    return recordingView(c, await found(c.accountId, (req.params as { recordingId: string }).recordingId));
  });

  app.get(
    '/:userId/media/:mediaName',
    {
      config,
      schema: {
        params: pathParams('mediaName'),
        headers: { type: 'object', properties: { range: { type: 'string', description: 'one range, bytes=a-b' } } },
        response: {
          200: { description: 'the whole recording', ...wav },
          206: { description: 'the range asked for (Content-Range)', ...wav },
          ...voiceErrorReplies,
        },
      },
    },
    async (req, reply) => {
      const c = contextOf(req);
      const name = (req.params as { mediaName: string }).mediaName;
      const id = /^(.+)\.wav$/.exec(name)?.[1];
      if (id === undefined) throw notFound('media-not-found', 'media', name);
      await found(c.accountId, id);
      const res = valueOf(await needVoice(voice).openRecording(c.accountId, id, req.headers.range));
      if (res.status === 404) throw notFound('media-not-found', 'media', name);
      reply.code(res.status).headers(res.headers);
      // 416: Content-Range names the size; the body is empty (recorder.ts).
      return reply.send(res.body ?? '');
    },
  );
}
