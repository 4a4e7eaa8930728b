/**
 * Bridges (spec bandwidth §3.7): up to two calls whose audio is joined. Creating and changing one goes to
 * the switch; reads come from the store. Every call named must be the account's (404 `call-not-found`).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { BridgeRequest, VoiceControl } from '../../switch/voice/voice-control.js';
import { contextOf, userUrl } from './voice-context.js';
import { VoiceApiError, notFound } from './voice-error.js';
import { linkNext, readPage, type PageParams } from './voice-paging.js';
import { audioObject, audioRequest, checkAudio, listQuery, pathParams, type AudioBody } from './voice-schemas.js';
import { bridgeSchema, bridgeView, callSchema, callView } from './voice-views.js';
import { created, emptyOk, needVoice, ok, okList, sendCreated, sendOk, valueOf } from './voice-replies.js';
import { findCall } from './call-routes.js';

/** spec bandwidth §3.7: at most two calls; more is 403 `bridge-callIds-overflow`, so the schema admits more. */
const MAX_BRIDGED = 2;

const callIds = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 128 }, uniqueItems: true, maxItems: 100 } as const;
const createBody = { type: 'object', additionalProperties: false, properties: { bridgeAudio: { type: 'boolean', default: true }, callIds: { ...callIds, default: [] } } } as const;
const updateBody = { type: 'object', additionalProperties: false, properties: { bridgeAudio: { type: 'boolean' }, callIds } } as const;

type Params = { userId: string; bridgeId: string };

export async function bridgeRoutes(app: FastifyInstance, { store, voice }: { store: Store; voice?: VoiceControl }): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };
  const one = pathParams('bridgeId');

  const found = async (accountId: string, id: string) => {
    const b = await store.getVoiceResource(accountId, 'bridge', id);
    if (!b || b.accountId !== accountId) throw notFound('bridge-not-found', 'bridge', id);
    return b;
  };
  const checkCalls = async (accountId: string, ids: readonly string[]) => {
    if (ids.length > MAX_BRIDGED) throw new VoiceApiError(403, 'forbidden', 'bridge-callIds-overflow', `a bridge holds at most ${MAX_BRIDGED} calls`, [{ name: 'callIds', value: JSON.stringify(ids) }]);
    for (const id of ids) await findCall(store, accountId, id);
  };

  app.post('/:userId/bridges', { config, schema: { params: pathParams(), body: createBody, response: created } }, async (req, reply) => {
    const c = contextOf(req);
    const b = req.body as BridgeRequest;
    const control = needVoice(voice);
    await checkCalls(c.accountId, b.callIds);
    const bridge = valueOf(await control.createBridge(c.accountId, { bridgeAudio: b.bridgeAudio, callIds: b.callIds }));
    return sendCreated(reply, userUrl(c, 'bridges', bridge.id));
  });

  app.post('/:userId/bridges/:bridgeId', { config, schema: { params: one, body: updateBody, response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const bridge = await found(c.accountId, (req.params as Params).bridgeId);
    const b = req.body as Partial<BridgeRequest>;
    const control = needVoice(voice);
    if (b.callIds !== undefined) await checkCalls(c.accountId, b.callIds);
    const change: Partial<BridgeRequest> = {};
    if (b.bridgeAudio !== undefined) change.bridgeAudio = b.bridgeAudio;
    if (b.callIds !== undefined) change.callIds = b.callIds;
    valueOf(await control.updateBridge(c.accountId, bridge.id, change));
    return sendOk(reply);
  });

  app.get('/:userId/bridges', { config, schema: { params: pathParams(), querystring: listQuery(), response: okList(bridgeSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const p = req.query as PageParams;
    const { items, more } = await readPage(p, (page, size) => store.listVoiceResources(c.accountId, 'bridge', { page, size }));
    linkNext(req, reply, c, p, more);
    return items.map((b) => bridgeView(c, b));
  });

  app.get('/:userId/bridges/:bridgeId', { config, schema: { params: one, response: ok(bridgeSchema) } }, async (req) => {
    const c = contextOf(req);
    return bridgeView(c, await found(c.accountId, (req.params as Params).bridgeId));
  });

  // The bridge's calls now: its member list (at most two), not every call that was ever in it.
  app.get('/:userId/bridges/:bridgeId/calls', { config, schema: { params: one, response: okList(callSchema) } }, async (req) => {
    const c = contextOf(req);
    const bridge = await found(c.accountId, (req.params as Params).bridgeId);
    const calls = await Promise.all(bridge.callIds.map((id) => store.getVoiceResource(c.accountId, 'call', id)));
    return calls.filter((x) => x !== undefined).map((call) => callView(c, call));
  });

  // spec bandwidth §3.7: the audio object without loop, tag or volume.
  app.post('/:userId/bridges/:bridgeId/audio', { config, schema: { params: one, body: audioObject(), response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const bridge = await found(c.accountId, (req.params as Params).bridgeId);
    const audio = req.body as AudioBody;
    checkAudio(audio, '');
    valueOf(await needVoice(voice).bridgeAudio(c.accountId, bridge.id, audioRequest(audio)));
    return sendOk(reply);
  });
}
