/**
 * What an app does to a live call (spec bandwidth §3.4, §3.5): play audio or speak, send DTMF, gather
 * digits — and read or stop a gather. Each goes to the switch; the call must be the account's (404
 * `call-not-found` otherwise, before the switch is asked).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { GatherRequest, VoiceControl } from '../../switch/voice/voice-control.js';
import { contextOf, userUrl } from './voice-context.js';
import { notFound } from './voice-error.js';
import { audioObject, audioRequest, checkAudio, pathParams, tag, type AudioBody } from './voice-schemas.js';
import { gatherSchema, gatherView } from './voice-views.js';
import { created, emptyOk, needVoice, ok, sendCreated, sendOk, valueOf } from './voice-replies.js';
import { findCall } from './call-routes.js';

const dtmfBody = {
  type: 'object',
  additionalProperties: false,
  required: ['dtmfOut'],
  // spec bandwidth §3.5: `,` and `w` pause 0.5 s, `W` 1 s.
  properties: { dtmfOut: { type: 'string', pattern: '^[A-D0-9#*,wW]{1,92}$' } },
} as const;

const gatherBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxDigits: { type: 'integer', minimum: 1, maximum: 30 },
    interDigitTimeout: { type: 'integer', minimum: 1, maximum: 30, default: 5, description: 's' },
    terminatingDigits: { type: 'string', pattern: '^[0-9A-D#*]*$', maxLength: 16, default: '#' },
    tag,
    prompt: audioObject({ loop: true, bargeable: true }),
  },
} as const;

interface GatherBody {
  maxDigits?: number;
  interDigitTimeout: number;
  terminatingDigits: string;
  tag?: string;
  prompt?: AudioBody & { bargeable?: boolean };
}

const stopBody = { type: 'object', additionalProperties: false, required: ['state'], properties: { state: { enum: ['completed'] } } } as const;

type CallParams = { userId: string; callId: string };
type GatherParams = CallParams & { gatherId: string };

export async function callActionRoutes(app: FastifyInstance, { store, voice }: { store: Store; voice?: VoiceControl }): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };
  const call = pathParams('callId');
  const gather = pathParams('callId', 'gatherId');

  app.post('/:userId/calls/:callId/audio', { config, schema: { params: call, body: audioObject({ loop: true, tag: true, volume: true }), response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const target = await findCall(store, c.accountId, (req.params as CallParams).callId);
    const audio = req.body as AudioBody;
    checkAudio(audio, '');
    valueOf(await needVoice(voice).playAudio(c.accountId, target.id, audioRequest(audio)));
    return sendOk(reply);
  });

  app.post('/:userId/calls/:callId/dtmf', { config, schema: { params: call, body: dtmfBody, response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const target = await findCall(store, c.accountId, (req.params as CallParams).callId);
    valueOf(await needVoice(voice).sendDtmf(c.accountId, target.id, (req.body as { dtmfOut: string }).dtmfOut));
    return sendOk(reply);
  });

  app.post('/:userId/calls/:callId/gather', { config, schema: { params: call, body: gatherBody, response: created } }, async (req, reply) => {
    const c = contextOf(req);
    const target = await findCall(store, c.accountId, (req.params as CallParams).callId);
    const b = req.body as GatherBody;
    const request: GatherRequest = { interDigitTimeoutSeconds: b.interDigitTimeout, terminatingDigits: b.terminatingDigits };
    if (b.maxDigits !== undefined) request.maxDigits = b.maxDigits;
    if (b.tag !== undefined) request.tag = b.tag;
    if (b.prompt !== undefined) {
      checkAudio(b.prompt, 'prompt');
      request.prompt = { ...audioRequest(b.prompt), ...(b.prompt.bargeable !== undefined ? { bargeable: b.prompt.bargeable } : {}) };
    }
    const g = valueOf(await needVoice(voice).startGather(c.accountId, target.id, request));
    return sendCreated(reply, userUrl(c, 'calls', target.id, 'gather', g.id));
  });

  const findGather = async (accountId: string, p: GatherParams) => {
    const target = await findCall(store, accountId, p.callId);
    const g = await store.getVoiceResource(accountId, 'gather', p.gatherId);
    if (!g || g.accountId !== accountId || g.callId !== target.id) throw notFound('gather-not-found', 'gather', p.gatherId);
    return g;
  };

  app.get('/:userId/calls/:callId/gather/:gatherId', { config, schema: { params: gather, response: ok(gatherSchema) } }, async (req) => {
    const c = contextOf(req);
    return gatherView(c, await findGather(c.accountId, req.params as GatherParams));
  });

  app.post('/:userId/calls/:callId/gather/:gatherId', { config, schema: { params: gather, body: stopBody, response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const g = await findGather(c.accountId, req.params as GatherParams);
    valueOf(await needVoice(voice).stopGather(c.accountId, g.callId, g.id));
    return sendOk(reply);
  });
}
