/**
 * Conferences and their members (spec bandwidth §3.8, §4.6). Creating and changing go to the switch
 * (voice-conferences.ts); reads come from the store. Every id is the account's: another account's
 * conference, member or call is 404 like an unknown one (nothing leaks).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { CallbackTarget } from '../../store/voice-records.js';
import type { ConferenceUpdate, MemberUpdate, VoiceControl } from '../../switch/voice/voice-control.js';
import { contextOf, userUrl } from './voice-context.js';
import { accountNumber } from './account-number.js';
import { invalidField, notFound } from './voice-error.js';
import { linkNext, readPage, type PageParams } from './voice-paging.js';
import { audioObject, audioRequest, callbackTarget, callbackTimeout, checkAudio, e164, httpMethod, httpUrl, listQuery, pathParams, tag, type AudioBody } from './voice-schemas.js';
import { conferenceSchema, conferenceView, memberSchema, memberView } from './conference-views.js';
import { created, emptyOk, needVoice, ok, okList, sendCreated, sendOk, valueOf } from './voice-replies.js';
import { findCall } from './call-routes.js';

const callbackFields = { callbackUrl: httpUrl, callbackHttpMethod: httpMethod, callbackTimeout, fallbackUrl: httpUrl } as const;

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from'],
  properties: {
    from: e164,
    ...callbackFields,
    profile: { enum: ['interpret_digits', 'passthru_digits'], default: 'interpret_digits' },
    tag,
  },
} as const;

interface CallbackBody {
  callbackUrl?: string;
  callbackHttpMethod?: 'GET' | 'POST';
  callbackTimeout?: number;
  fallbackUrl?: string;
}

interface CreateBody extends CallbackBody {
  from: string;
  profile: 'interpret_digits' | 'passthru_digits';
  tag?: string;
}

const updateBody = {
  type: 'object',
  additionalProperties: false,
  properties: { state: { enum: ['completed'] }, hold: { type: 'boolean' }, mute: { type: 'boolean' }, ...callbackFields, tag },
} as const;

interface UpdateBody extends CallbackBody {
  state?: 'completed';
  hold?: boolean;
  mute?: boolean;
  tag?: string;
}

const memberFlags = { joinTone: { type: 'boolean' }, leavingTone: { type: 'boolean' }, mute: { type: 'boolean' }, hold: { type: 'boolean' } } as const;
const addMemberBody = {
  type: 'object',
  additionalProperties: false,
  required: ['callId'],
  properties: {
    callId: { type: 'string', minLength: 1, maxLength: 128 },
    joinTone: { type: 'boolean', default: false },
    leavingTone: { type: 'boolean', default: false },
    mute: { type: 'boolean', default: false },
    hold: { type: 'boolean', default: false },
  },
} as const;
const updateMemberBody = { type: 'object', additionalProperties: false, properties: { state: { enum: ['completed'] }, ...memberFlags } } as const;

type Params = { userId: string; conferenceId: string; memberId: string };

/** A changed callback: the fields sent over the stored ones; a `callbackUrl` is needed in the end. */
function callbackChange(b: CallbackBody, now: CallbackTarget | undefined): CallbackTarget | undefined {
  if (b.callbackUrl === undefined && b.callbackHttpMethod === undefined && b.callbackTimeout === undefined && b.fallbackUrl === undefined) return undefined;
  const url = b.callbackUrl ?? now?.url;
  if (url === undefined) throw invalidField('callbackUrl', undefined, "the conference has no 'callbackUrl' to change");
  const method = b.callbackHttpMethod ?? now?.method;
  const timeout = b.callbackTimeout ?? now?.timeoutMs;
  const fallback = b.fallbackUrl ?? now?.fallbackUrl;
  return callbackTarget({ callbackUrl: url, ...(method ? { callbackHttpMethod: method } : {}), ...(timeout !== undefined ? { callbackTimeout: timeout } : {}), ...(fallback !== undefined ? { fallbackUrl: fallback } : {}) });
}

export async function conferenceRoutes(app: FastifyInstance, { store, voice }: { store: Store; voice?: VoiceControl }): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };
  const one = pathParams('conferenceId');
  const oneMember = pathParams('conferenceId', 'memberId');

  const found = async (accountId: string, id: string) => {
    const r = await store.getVoiceResource(accountId, 'conference', id);
    if (!r || r.accountId !== accountId) throw notFound('conference-not-found', 'conference', id);
    return r;
  };
  const foundMember = async (accountId: string, conferenceId: string, memberId: string) => {
    await found(accountId, conferenceId);
    const m = await store.getVoiceResource(accountId, 'member', memberId);
    if (!m || m.accountId !== accountId || m.conferenceId !== conferenceId) throw notFound('conference-member-not-found', 'conference member', memberId);
    return m;
  };

  app.post('/:userId/conferences', { config, schema: { params: pathParams(), body: createBody, response: created } }, async (req, reply) => {
    const c = contextOf(req);
    const b = req.body as CreateBody;
    const control = needVoice(voice);
    // spec bandwidth §3.8: `from` is the hosting number, one of the account's (as for `POST /calls`).
    await accountNumber(store, c.accountId, b.from);
    const callback = callbackTarget(b);
    const conf = valueOf(
      await control.createConference({
        accountId: c.accountId,
        userId: c.userId,
        from: b.from,
        profile: b.profile,
        ...(callback ? { callback } : {}),
        ...(b.tag !== undefined ? { tag: b.tag } : {}),
      }),
    );
    return sendCreated(reply, userUrl(c, 'conferences', conf.id));
  });

  app.get('/:userId/conferences', { config, schema: { params: pathParams(), querystring: listQuery(), response: okList(conferenceSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const p = req.query as PageParams;
    const { items, more } = await readPage(p, (page, size) => store.listVoiceResources(c.accountId, 'conference', { page, size }));
    linkNext(req, reply, c, p, more);
    return items.map((r) => conferenceView(c, r));
  });

  app.get('/:userId/conferences/:conferenceId', { config, schema: { params: one, response: ok(conferenceSchema) } }, async (req) => {
    const c = contextOf(req);
    return conferenceView(c, await found(c.accountId, (req.params as Params).conferenceId));
  });

  app.post('/:userId/conferences/:conferenceId', { config, schema: { params: one, body: updateBody, response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const conf = await found(c.accountId, (req.params as Params).conferenceId);
    const b = req.body as UpdateBody;
    const change: ConferenceUpdate = {};
    if (b.state !== undefined) change.state = b.state;
    if (b.hold !== undefined) change.hold = b.hold;
    if (b.mute !== undefined) change.mute = b.mute;
    if (b.tag !== undefined) change.tag = b.tag;
    const callback = callbackChange(b, conf.callback);
    if (callback) change.callback = callback;
    valueOf(await needVoice(voice).updateConference(c.accountId, conf.id, change));
    return sendOk(reply);
  });

  // spec bandwidth §3.8: the audio object with loop and tag (no volume: call audio only).
  app.post('/:userId/conferences/:conferenceId/audio', { config, schema: { params: one, body: audioObject({ loop: true, tag: true }), response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const conf = await found(c.accountId, (req.params as Params).conferenceId);
    const audio = req.body as AudioBody;
    checkAudio(audio, '');
    valueOf(await needVoice(voice).conferenceAudio(c.accountId, conf.id, audioRequest(audio)));
    return sendOk(reply);
  });

  app.post('/:userId/conferences/:conferenceId/members', { config, schema: { params: one, body: addMemberBody, response: created } }, async (req, reply) => {
    const c = contextOf(req);
    const conf = await found(c.accountId, (req.params as Params).conferenceId);
    const b = req.body as { callId: string; joinTone: boolean; leavingTone: boolean; mute: boolean; hold: boolean };
    // Another account's call is 404 `call-not-found`, like an unknown one.
    await findCall(store, c.accountId, b.callId);
    const member = valueOf(await needVoice(voice).addMember(c.accountId, conf.id, { callId: b.callId, joinTone: b.joinTone, leavingTone: b.leavingTone, mute: b.mute, hold: b.hold }));
    return sendCreated(reply, userUrl(c, 'conferences', conf.id, 'members', member.id));
  });

  // Every member the conference ever had, completed ones included (spec bandwidth §3.8), oldest first.
  app.get('/:userId/conferences/:conferenceId/members', { config, schema: { params: one, querystring: listQuery(), response: okList(memberSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const conf = await found(c.accountId, (req.params as Params).conferenceId);
    const p = req.query as PageParams;
    const { items, more } = await readPage(p, (page, size) => store.listVoiceResources(c.accountId, 'member', { conferenceId: conf.id, page, size, order: 'asc' }));
    linkNext(req, reply, c, p, more);
    return items.map((m) => memberView(c, m));
  });

  app.get('/:userId/conferences/:conferenceId/members/:memberId', { config, schema: { params: oneMember, response: ok(memberSchema) } }, async (req) => {
    const c = contextOf(req);
    const p = req.params as Params;
    return memberView(c, await foundMember(c.accountId, p.conferenceId, p.memberId));
  });

  app.post('/:userId/conferences/:conferenceId/members/:memberId', { config, schema: { params: oneMember, body: updateMemberBody, response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const p = req.params as Params;
    const m = await foundMember(c.accountId, p.conferenceId, p.memberId);
    const change = req.body as MemberUpdate;
    valueOf(await needVoice(voice).updateMember(c.accountId, m.conferenceId, m.id, change));
    return sendOk(reply);
  });

  // spec bandwidth §4.6 step 4: the member's call's own audio (its `speak`/`playback` events).
  app.post('/:userId/conferences/:conferenceId/members/:memberId/audio', { config, schema: { params: oneMember, body: audioObject({ loop: true, tag: true }), response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const p = req.params as Params;
    const m = await foundMember(c.accountId, p.conferenceId, p.memberId);
    const audio = req.body as AudioBody;
    checkAudio(audio, '');
    valueOf(await needVoice(voice).memberAudio(c.accountId, m.conferenceId, m.id, audioRequest(audio)));
    return sendOk(reply);
  });
}
