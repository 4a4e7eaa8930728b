/**
 * Recordings and their media (spec bandwidth §3.9): `GET /recordings[/{id}]` from the store, and the
 * recording's file at its `media` URL, `GET /media/{recordingId}.wav` — authenticated like every route of
 * the family, one byte range honoured (RFC 9110 §14) as recordings/recordings-api.ts does.
 * Transcriptions and their text (`/media/tr-…`) are transcription-routes.ts's. The same path serves the
 * parts of a voice-API MMS, `GET /media/{messageId}-{filename}` (the `media` URLs of an `mms` callback,
 * spec bandwidth §2.16; dialects/bandwidth/message-events.ts names them).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { VoiceControl } from '../../switch/voice/voice-control.js';
import type { MmsMediaStore } from '../../messaging/mms-media-store.js';
import { contextOf } from './voice-context.js';
import { notFound, voiceErrorReplies } from './voice-error.js';
import { linkNext, readPage, type PageParams } from './voice-paging.js';
import { listQuery, pathParams } from './voice-schemas.js';
import { recordingSchema, recordingView } from './voice-views.js';
import { needVoice, ok, okList, valueOf } from './voice-replies.js';

const wav = { content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } } as const;

/** An MMS part's media name: the texts engine's message id (`<unix>.<n>.<r>`, no `-`), `-`, the part's file name. */
const MMS_PART = /^([0-9]+\.[0-9]+\.[0-9]+)-(.+)$/;

export async function recordingRoutes(app: FastifyInstance, { store, voice, mmsMedia }: { store: Store; voice?: VoiceControl; mmsMedia?: Pick<MmsMediaStore, 'open'> }): Promise<void> {
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
          200: { description: 'the whole recording, or an MMS part (its own type)', ...wav },
          206: { description: 'the range asked for (Content-Range)', ...wav },
          ...voiceErrorReplies,
        },
      },
    },
    async (req, reply) => {
      const c = contextOf(req);
      const name = (req.params as { mediaName: string }).mediaName;
      const part = MMS_PART.exec(name);
      if (part && mmsMedia) {
        // Only a voice-API text of this account (a VoiceMessageRecord), its part as the engine stored it.
        const [, messageId, filename] = part as unknown as [string, string, string];
        const message = await store.getVoiceResource(c.accountId, 'message', messageId);
        const entry = message ? await store.getReportEntry(c.accountId, messageId) : undefined;
        const component = entry?.kind === 'message' ? entry.message.components.find((x) => x.filename === filename) : undefined;
        const opened = component ? mmsMedia.open(c.accountId, messageId, filename) : undefined;
        if (!component || !opened) throw notFound('media-not-found', 'media', name);
        reply.code(200).headers({ 'content-type': component.contentType, 'content-length': String(opened.size) });
        return reply.send(opened.stream);
      }
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
