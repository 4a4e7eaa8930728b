/**
 * Calls (spec bandwidth §3.2, §3.3): create an outbound call, list and read calls, and change one —
 * answer, reject, hang up, record on/off, transfer. Reads come from the store; changes go to the switch
 * (VoiceControl), whose refusals are answered as it words them.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { VoiceCallRecord } from '../../store/voice-records.js';
import type { CallUpdate, CreateCallRequest, TransferRequest, VoiceControl } from '../../switch/voice/voice-control.js';
import { contextOf, userUrl } from './voice-context.js';
import { accountNumber } from './account-number.js';
import { VoiceApiError, invalidField, notFound } from './voice-error.js';
import { linkNext, readPage, type PageParams } from './voice-paging.js';
import { audioObject, audioRequest, callTarget, callbackTarget, callbackTimeout, checkAudio, e164, httpMethod, httpUrl, listQuery, pathParams, tag, type AudioBody } from './voice-schemas.js';
import { callSchema, callView } from './voice-views.js';
import { created, emptyOk, needVoice, ok, okList, sendCreated, sendOk, valueOf } from './voice-replies.js';

/** Longest recording a call may ask for (s). Beyond it: 403 `maximum-recording-value-request`. */
export const MAX_RECORDING_SECONDS = 4 * 3600;

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: e164,
    to: callTarget,
    callTimeout: { type: 'integer', minimum: 1, maximum: 300, default: 60, description: 's' },
    callbackUrl: httpUrl,
    callbackTimeout,
    callbackHttpMethod: httpMethod,
    fallbackUrl: httpUrl,
    bridgeId: { type: 'string', minLength: 1, maxLength: 128 },
    conferenceId: { type: 'string', minLength: 1, maxLength: 128 },
    recordingEnabled: { type: 'boolean', default: false },
    recordingMaxDuration: { type: 'integer', minimum: 1, description: `s, default 3600, at most ${MAX_RECORDING_SECONDS}` },
    recordingFileFormat: { enum: ['wav'], description: 'wav only' },
    transcriptionEnabled: { type: 'boolean', default: false, description: 'every recording of the call is transcribed when saved (spec bandwidth §4.5)' },
    tag,
  },
} as const;

interface CreateBody {
  from: string;
  to: string;
  callTimeout: number;
  callbackUrl?: string;
  callbackTimeout?: number;
  callbackHttpMethod?: 'GET' | 'POST';
  fallbackUrl?: string;
  bridgeId?: string;
  conferenceId?: string;
  recordingEnabled: boolean;
  recordingMaxDuration?: number;
  transcriptionEnabled?: boolean;
  tag?: string;
}

const updateBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { enum: ['active', 'rejected', 'completed', 'transferring'] },
    recordingEnabled: { type: 'boolean' },
    recordingFileFormat: { enum: ['wav'] },
    transferTo: callTarget,
    transferCallerId: { type: 'string', pattern: '^(private|\\+[1-9][0-9]{1,14})$', description: '"private" or a number' },
    whisperAudio: audioObject({ loop: true, tag: true }),
    callbackUrl: httpUrl,
    callbackTimeout,
    callbackHttpMethod: httpMethod,
    fallbackUrl: httpUrl,
    diversionTreatment: { enum: ['none'], description: 'none only' },
  },
} as const;

interface UpdateBody {
  state?: 'active' | 'rejected' | 'completed' | 'transferring';
  recordingEnabled?: boolean;
  transferTo?: string;
  transferCallerId?: string;
  whisperAudio?: AudioBody;
  callbackUrl?: string;
  callbackTimeout?: number;
  callbackHttpMethod?: 'GET' | 'POST';
  fallbackUrl?: string;
}

const TRANSFER_FIELDS = ['transferTo', 'transferCallerId', 'whisperAudio', 'callbackUrl', 'callbackTimeout', 'callbackHttpMethod', 'fallbackUrl'] as const;

type ListQuery = PageParams & { bridgeId?: string; conferenceId?: string; from?: string; to?: string; sortOrder?: 'asc' | 'desc' };

export interface CallRouteOptions {
  store: Store;
  voice?: VoiceControl;
}

export async function callRoutes(app: FastifyInstance, { store, voice }: CallRouteOptions): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };
  const one = pathParams('callId');

  app.post('/:userId/calls', { config, schema: { params: pathParams(), body: createBody, response: created } }, async (req, reply) => {
    const c = contextOf(req);
    const b = req.body as CreateBody;
    const control = needVoice(voice);
    await accountNumber(store, c.accountId, b.from);
    if (b.recordingMaxDuration !== undefined && b.recordingMaxDuration > MAX_RECORDING_SECONDS) {
      throw new VoiceApiError(403, 'forbidden', 'maximum-recording-value-request', `recordingMaxDuration is at most ${MAX_RECORDING_SECONDS} s`, [{ name: 'recordingMaxDuration', value: String(b.recordingMaxDuration) }]);
    }
    if (b.bridgeId !== undefined && !(await store.getVoiceResource(c.accountId, 'bridge', b.bridgeId))) throw notFound('bridge-not-found', 'bridge', b.bridgeId);
    const request: CreateCallRequest = { accountId: c.accountId, userId: c.userId, from: b.from, to: b.to, callTimeoutSeconds: b.callTimeout, recordingEnabled: b.recordingEnabled };
    const callback = callbackTarget(b);
    if (callback) request.callback = callback;
    if (b.tag !== undefined) request.tag = b.tag;
    if (b.recordingMaxDuration !== undefined) request.recordingMaxDurationSeconds = b.recordingMaxDuration;
    if (b.bridgeId !== undefined) request.bridgeId = b.bridgeId;
    if (b.conferenceId !== undefined) request.conferenceId = b.conferenceId;
    if (b.transcriptionEnabled === true) request.transcriptionEnabled = true;
    const call = valueOf(await control.createCall(request));
    return sendCreated(reply, userUrl(c, 'calls', call.id));
  });

  const listFilters = { bridgeId: { type: 'string', maxLength: 128 }, conferenceId: { type: 'string', maxLength: 128 }, from: { type: 'string', maxLength: 256 }, to: { type: 'string', maxLength: 256 }, sortOrder: { enum: ['asc', 'desc'], default: 'desc' } };
  app.get('/:userId/calls', { config, schema: { params: pathParams(), querystring: listQuery(listFilters), response: okList(callSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const q = req.query as ListQuery;
    if (q.conferenceId !== undefined) {
      // spec bandwidth §3.2: with `conferenceId` the list is not paged: every call that was a member, as added.
      const members = await store.listVoiceResources(c.accountId, 'member', { conferenceId: q.conferenceId, page: 0, size: 1000, order: 'asc' });
      const calls = await Promise.all([...new Set(members.map((m) => m.callId))].map((id) => store.getVoiceResource(c.accountId, 'call', id)));
      return calls.filter((call) => call !== undefined).map((call) => callView(c, call));
    }
    const { items, more } = await readPage(q, (page, size) =>
      store.listVoiceResources(c.accountId, 'call', {
        page,
        size,
        order: q.sortOrder ?? 'desc',
        ...(q.bridgeId !== undefined ? { bridgeId: q.bridgeId } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
      }),
    );
    linkNext(req, reply, c, q, more);
    return items.map((call) => callView(c, call));
  });

  app.get('/:userId/calls/:callId', { config, schema: { params: one, response: ok(callSchema) } }, async (req) => {
    const c = contextOf(req);
    return callView(c, await findCall(store, c.accountId, (req.params as { callId: string }).callId));
  });

  app.post(
    '/:userId/calls/:callId',
    { config, schema: { params: one, body: updateBody, response: { 201: created[201], ...emptyOk } } },
    async (req, reply) => {
      const c = contextOf(req);
      const call = await findCall(store, c.accountId, (req.params as { callId: string }).callId);
      const change = callUpdate(req.body as UpdateBody);
      const result = valueOf(await needVoice(voice).updateCall(c.accountId, call.id, change));
      if (change.state === 'transferring') {
        // spec bandwidth §3.3: the answer's Location names the new call.
        if (!result.newCallId) throw new VoiceApiError(500, 'backend', 'internal-error', 'the transfer made no call');
        return sendCreated(reply, userUrl(c, 'calls', result.newCallId));
      }
      return sendOk(reply);
    },
  );
}

/** The account's call, else 404 `call-not-found` (another account's call is not found either). */
export async function findCall(store: Store, accountId: string, callId: string): Promise<VoiceCallRecord> {
  const call = await store.getVoiceResource(accountId, 'call', callId);
  if (!call || call.accountId !== accountId) throw notFound('call-not-found', 'call', callId);
  return call;
}

/** A `POST /calls/{id}` body as the switch takes it (spec bandwidth §3.3). */
function callUpdate(b: UpdateBody): CallUpdate {
  const change: CallUpdate = {};
  if (b.state !== undefined) change.state = b.state;
  if (b.state === 'transferring') {
    if (b.transferTo === undefined) throw invalidField('transferTo', undefined, "'transferTo' is required with state 'transferring'");
    const t: TransferRequest = { transferTo: b.transferTo };
    if (b.transferCallerId !== undefined) t.transferCallerId = b.transferCallerId;
    if (b.whisperAudio !== undefined) {
      checkAudio(b.whisperAudio, 'whisperAudio');
      t.whisperAudio = audioRequest(b.whisperAudio);
    }
    const callback = callbackTarget(b);
    if (callback) t.callback = callback;
    if (b.recordingEnabled !== undefined) t.recordingEnabled = b.recordingEnabled;
    change.transfer = t;
    return change;
  }
  const stray = TRANSFER_FIELDS.find((k) => b[k] !== undefined);
  if (stray) throw invalidField(stray, b[stray], `'${stray}' is only taken with state 'transferring'`);
  if (b.recordingEnabled !== undefined) change.recordingEnabled = b.recordingEnabled;
  if (change.state === undefined && change.recordingEnabled === undefined) throw invalidField('state', undefined, "nothing to change: send 'state' or 'recordingEnabled'");
  return change;
}
