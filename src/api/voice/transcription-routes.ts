/**
 * Transcriptions (spec bandwidth §3.9, §4.5): `POST /recordings/{id}/transcriptions` (empty body; the
 * recording must be `complete`, else 403 `invalid-recording-state`) → 201 with `Location`; the lists of a
 * recording and of a call, one transcription, and its whole text at its `textUrl`, `GET /media/{id}` (the
 * §2.12 example's `…/media/tr-…`; a recording's `/media/{id}.wav` stays in recording-routes.ts).
 * The work is the switch's (switch/voice/voice-transcriptions.ts); these routes read the store.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { VoiceTranscriptionRecord } from '../../store/voice-records.js';
import type { VoiceControl } from '../../switch/voice/voice-control.js';
import { contextOf, userUrl, type VoiceContext } from './voice-context.js';
import { notFound, VoiceApiError, voiceErrorReplies } from './voice-error.js';
import { linkNext, readPage, type PageParams } from './voice-paging.js';
import { listQuery, pathParams } from './voice-schemas.js';
import { iso } from './voice-views.js';
import { created, needVoice, ok, okList, sendCreated, valueOf } from './voice-replies.js';
import { BODY_OPTIONAL } from '../openapi/route-docs.js';

/** spec bandwidth §3.9: the REST `text` is cropped beyond 1000 characters (the callback's at 1026, §2.12). */
export const REST_TEXT_LIMIT = 1000;

export const transcriptionSchema = {
  type: 'object',
  required: ['id', 'state'],
  properties: {
    id: { type: 'string' },
    state: { enum: ['transcribing', 'completed', 'error'] },
    text: { type: 'string', description: `the first ${REST_TEXT_LIMIT} characters; the whole text is at textUrl` },
    textSize: { type: 'integer', description: 'characters in the whole text' },
    textUrl: { type: 'string', description: 'URL' },
    time: { type: 'string', format: 'date-time' },
    chargeableDuration: { type: 'integer', description: 'billed seconds: the audio rounded up to whole minutes' },
  },
} as const;

/** Billed seconds (spec bandwidth §3.9 "billed per minute"): the audio's length rounded up to the minute. */
export function transcriptionChargeSeconds(audioSeconds: number): number {
  return Math.max(1, Math.ceil(audioSeconds / 60)) * 60;
}

export function transcriptionView(c: VoiceContext, t: VoiceTranscriptionRecord): Record<string, unknown> {
  const view: Record<string, unknown> = { id: t.id, state: t.state, time: iso(t.createdTime) };
  if (t.state === 'completed') {
    // Characters are code points, as the callback counts them (dialects/bandwidth/transcription.ts).
    const chars = Array.from(t.text ?? '');
    view.text = chars.slice(0, REST_TEXT_LIMIT).join('');
    view.textSize = chars.length;
    view.textUrl = userUrl(c, 'media', t.id);
    view.chargeableDuration = transcriptionChargeSeconds(t.audioSeconds ?? 0);
  }
  return view;
}

const text = { content: { 'text/plain': { schema: { type: 'string' } } } } as const;

export async function transcriptionRoutes(app: FastifyInstance, { store, voice }: { store: Store; voice?: VoiceControl }): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };

  const recording = async (accountId: string, id: string) => {
    const r = await store.getVoiceResource(accountId, 'recording', id);
    if (!r) throw notFound('recording-not-found', 'recording', id);
    return r;
  };
  const transcription = async (accountId: string, id: string) => {
    const t = await store.getVoiceResource(accountId, 'transcription', id);
    if (!t) throw notFound('transcription-not-found', 'transcription', id);
    return t;
  };
  /** A call's or a recording's transcriptions, by creation time (a call has few). */
  const ofCall = async (accountId: string, callId: string, p: PageParams) => readPage(p, (page, size) => store.listVoiceResources(accountId, 'transcription', { callId, page, size, order: 'asc' }));

  app.post(
    '/:userId/recordings/:recordingId/transcriptions',
    // spec bandwidth §3.9: an empty body (none, or `{}`): no body reads as `{}` before validation.
    {
      config,
      schema: { params: pathParams('recordingId'), body: { type: 'object', additionalProperties: false, properties: {} }, [BODY_OPTIONAL]: true, response: created },
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
    },
    async (req, reply) => {
      const c = contextOf(req);
      const rec = await recording(c.accountId, (req.params as { recordingId: string }).recordingId);
      if (rec.state !== 'complete') {
        throw new VoiceApiError(403, 'forbidden', 'invalid-recording-state', `recording ${rec.id} is ${rec.state}: only a complete recording can be transcribed`, [{ name: 'recordingId', value: rec.id }]);
      }
      const t = valueOf(await needVoice(voice).createTranscription(c.accountId, rec.id));
      return sendCreated(reply, userUrl(c, 'recordings', rec.id, 'transcriptions', t.id));
    },
  );

  app.get(
    '/:userId/recordings/:recordingId/transcriptions',
    { config, schema: { params: pathParams('recordingId'), querystring: listQuery(), response: okList(transcriptionSchema) } },
    async (req, reply) => {
      const c = contextOf(req);
      const rec = await recording(c.accountId, (req.params as { recordingId: string }).recordingId);
      const p = req.query as PageParams;
      // Listed through the recording's call (the store indexes by call), then kept to this recording.
      const all = await store.listVoiceResources(c.accountId, 'transcription', { callId: rec.callId, page: 0, size: 10_000, order: 'asc' });
      const mine = all.filter((t) => t.recordingId === rec.id);
      const items = mine.slice(p.page * p.size, (p.page + 1) * p.size);
      linkNext(req, reply, c, p, mine.length > (p.page + 1) * p.size);
      return items.map((t) => transcriptionView(c, t));
    },
  );

  app.get(
    '/:userId/recordings/:recordingId/transcriptions/:transcriptionId',
    { config, schema: { params: pathParams('recordingId', 'transcriptionId'), response: ok(transcriptionSchema) } },
    async (req) => {
      const c = contextOf(req);
      const { recordingId, transcriptionId } = req.params as { recordingId: string; transcriptionId: string };
      const t = await transcription(c.accountId, transcriptionId);
      if (t.recordingId !== recordingId) throw notFound('transcription-not-found', 'transcription', transcriptionId);
      return transcriptionView(c, t);
    },
  );

  app.get('/:userId/calls/:callId/transcriptions', { config, schema: { params: pathParams('callId'), querystring: listQuery(), response: okList(transcriptionSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const callId = (req.params as { callId: string }).callId;
    if (!(await store.getVoiceResource(c.accountId, 'call', callId))) throw notFound('call-not-found', 'call', callId);
    const p = req.query as PageParams;
    const { items, more } = await ofCall(c.accountId, callId, p);
    linkNext(req, reply, c, p, more);
    return items.map((t) => transcriptionView(c, t));
  });

  // `tr-` before the parameter: more specific than recording-routes.ts's `/media/:mediaName`, so the
  // router sends transcription texts here and every other media name there.
  app.get(
    '/:userId/media/tr-:rest',
    { config, schema: { params: pathParams('rest'), response: { 200: { description: 'the whole text, UTF-8', ...text }, ...voiceErrorReplies } } },
    async (req, reply) => {
      const c = contextOf(req);
      const id = `tr-${(req.params as { rest: string }).rest}`;
      const t = await store.getVoiceResource(c.accountId, 'transcription', id);
      if (!t || t.state !== 'completed') throw notFound('media-not-found', 'media', id);
      return reply.code(200).type('text/plain; charset=utf-8').send(t.text ?? '');
    },
  );
}
