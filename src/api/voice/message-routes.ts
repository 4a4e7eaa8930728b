/**
 * Messages (spec bandwidth §3.10, §0 "What published clients depend on"): send a text through the texts
 * engine (messaging-service.ts: the account's carrier, opt-outs, limits, reports), list and read texts.
 *
 * `POST /messages` takes one message object → 201 + `Location: …/messages/{messageId}`, or an array of at
 * most 50 → 202 with one item per message, in order: `{"result":"accepted","location":…}` or
 * `{"result":"error","error":{category,code,message,details}}`. Each item is validated and sent on its own,
 * so one bad item refuses only itself. Message ids are the engine's (its report id, the `messageId` of the
 * `sms`/`mms` events). A carrier refusal is not a failed request: the message exists in state `error` and
 * its callback gets `sms` with `state: error` (spec bandwidth §2.16).
 *
 * Listed and readable are the voice API's texts: those sent by `POST /messages` and those received on a
 * number linked to an application (store/voice-records.ts VoiceMessageRecord).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { VoiceMessageRecord } from '../../store/voice-records.js';
import type { MessagingService, SendRequest } from '../../messaging/messaging-service.js';
import { MessagingError } from '../../messaging/errors.js';
import { contextOf, userUrl, type VoiceContext } from './voice-context.js';
import { accountNumber } from './account-number.js';
import { VoiceApiError, notFound, voiceErrorReplies, voiceErrorSchema, type ErrorCategory } from './voice-error.js';
import { voiceValidator } from './voice-validation.js';
import { linkNext, readPage, type PageParams } from './voice-paging.js';
import { callbackTarget, callbackTimeout, e164, httpMethod, httpUrl, listQuery, pathParams, tag } from './voice-schemas.js';
import { ok, okList } from './voice-replies.js';
import { fetchMedia } from './message-media.js';
import { VOICE_API_MAX_TEXT_CHARS } from '../../messaging/messaging-service.js';

/** spec bandwidth §3.10: an array body has at most 50 messages. */
export const MAX_MESSAGES_PER_REQUEST = 50;

/** One message of `POST /messages` (spec bandwidth §3.10). */
export const messageBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: { ...e164, description: "one of the account's numbers that takes texts" },
    to: e164,
    text: { type: 'string', maxLength: VOICE_API_MAX_TEXT_CHARS, description: 'at most 2048 characters; may be empty with media' },
    media: { type: 'array', maxItems: 10, items: httpUrl, description: 'URLs fetched when sending and sent as an MMS' },
    receiptRequested: { enum: ['none', 'all', 'error'], default: 'none' },
    callbackUrl: httpUrl,
    callbackHttpMethod: httpMethod,
    callbackTimeout,
    fallbackUrl: httpUrl,
    tag,
  },
} as const;

interface MessageBody {
  from: string;
  to: string;
  text?: string;
  media?: string[];
  receiptRequested: 'none' | 'all' | 'error';
  callbackUrl?: string;
  callbackHttpMethod?: 'GET' | 'POST';
  callbackTimeout?: number;
  fallbackUrl?: string;
  tag?: string;
}

const errorItem = {
  type: 'object',
  required: ['result', 'error'],
  properties: { result: { const: 'error' }, error: { $ref: `${voiceErrorSchema.$id}#` } },
} as const;
const acceptedItem = { type: 'object', required: ['result', 'location'], properties: { result: { const: 'accepted' }, location: { type: 'string' } } } as const;

const str = { type: 'string' } as const;

export const messageSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: str,
    messageId: str,
    from: str,
    to: str,
    direction: { enum: ['in', 'out'] },
    text: str,
    media: { type: 'array', items: str },
    state: { enum: ['received', 'queued', 'sending', 'sent', 'error'] },
    time: { type: 'string', format: 'date-time' },
    applicationId: str,
    callbackUrl: str,
    callbackHttpMethod: { enum: ['GET', 'POST'] },
    callbackTimeout: { type: 'integer' },
    fallbackUrl: str,
    receiptRequested: { enum: ['none', 'all', 'error'] },
    tag: str,
    deliveryState: { enum: ['waiting', 'delivered', 'not-delivered'] },
    deliveryDescription: str,
    segmentCount: { type: 'integer' },
  },
} as const;

/** A text as the provider's message resource: what Ringside knows, nothing invented (no delivery receipts). */
export function messageView(c: VoiceContext, m: VoiceMessageRecord): Record<string, unknown> {
  const v: Record<string, unknown> = {
    id: m.id,
    messageId: m.id,
    from: m.from,
    to: m.to,
    direction: m.direction,
    text: m.text,
    // A received MMS: its parts as the `mms` event names them (dialects/bandwidth/message-events.ts).
    media: m.direction === 'in' ? m.media.map((name) => userUrl(c, 'media', `${m.id}-${name}`)) : m.media,
    state: m.state,
    time: new Date(m.createdTime).toISOString(),
  };
  if (m.applicationId !== undefined) v.applicationId = m.applicationId;
  if (m.callback) {
    v.callbackUrl = m.callback.url;
    v.callbackHttpMethod = m.callback.method;
    v.callbackTimeout = m.callback.timeoutMs;
    if (m.callback.fallbackUrl) v.fallbackUrl = m.callback.fallbackUrl;
  }
  if (m.receiptRequested !== undefined) v.receiptRequested = m.receiptRequested;
  if (m.tag !== undefined) v.tag = m.tag;
  if (m.state === 'error') {
    v.deliveryState = 'not-delivered';
    if (m.error !== undefined) v.deliveryDescription = m.error;
  }
  v.segmentCount = Math.max(1, Math.ceil(m.text.length / 160));
  return v;
}

export interface MessageRouteOptions {
  store: Store;
  /** The texts engine; without it, sending answers 503 `unavailable`. */
  messaging?: MessagingService;
}

type ListQuery = PageParams & { from?: string; to?: string; sortOrder?: 'asc' | 'desc' };

export async function messageRoutes(app: FastifyInstance, { store, messaging }: MessageRouteOptions): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };
  // Each array item is validated on its own (its refusal is its item's error), by the family's validator.
  const validateItem = voiceValidator({ schema: messageBody, method: 'POST', url: '/messages', httpPart: 'body' }) as (data: unknown) => { value?: unknown; error?: Error };

  const sendOne = async (c: VoiceContext, item: unknown): Promise<string> => {
    const checked = validateItem(item);
    if (checked.error) throw checked.error;
    const b = item as MessageBody;
    const callback = callbackTarget(b);
    if (!messaging) throw new VoiceApiError(503, 'unavailable', 'unavailable', 'texts are not available on this server');
    await accountNumber(store, c.accountId, b.from);
    const parts = await fetchMedia(b.media ?? []);
    const req: SendRequest = {
      accountId: c.accountId,
      to: b.to,
      body: b.text ?? '',
      parts,
      fromNumber: b.from,
      via: 'voice-api',
      requested: parts.length > 0 ? 'mms' : 'sms',
      voice: {
        userId: c.userId,
        media: b.media ?? [],
        receiptRequested: b.receiptRequested,
        ...(callback ? { callback } : {}),
        ...(b.tag !== undefined ? { tag: b.tag } : {}),
      },
    };
    try {
      const m = await messaging.send(req);
      return userUrl(c, 'messages', m.id);
    } catch (err) {
      if (err instanceof MessagingError) throw engineError(err, b);
      throw err;
    }
  };

  app.post(
    '/:userId/messages',
    {
      config,
      schema: {
        params: pathParams(),
        body: { type: ['object', 'array'], minItems: 1, maxItems: MAX_MESSAGES_PER_REQUEST, description: 'one message object, or an array of 1–50' },
        response: {
          201: { description: 'empty body; Location is the new message', type: 'null' },
          202: { description: 'one item per message, in order', type: 'array', items: { anyOf: [acceptedItem, errorItem] } },
          ...voiceErrorReplies,
        },
      },
    },
    async (req, reply) => {
      const c = contextOf(req);
      if (!Array.isArray(req.body)) return reply.code(201).header('Location', await sendOne(c, req.body)).send();
      // spec bandwidth §0: an array body answers 202 with one result per item, in the same order. Sent one
      // after the other: the order of the texts is the order of the items.
      const results: unknown[] = [];
      for (const item of req.body as unknown[]) {
        try {
          results.push({ result: 'accepted', location: await sendOne(c, item) });
        } catch (err) {
          if (!(err instanceof VoiceApiError)) throw err;
          results.push({ result: 'error', error: err.body() });
        }
      }
      return reply.code(202).send(results);
    },
  );

  const listFilters = { from: { type: 'string', maxLength: 256 }, to: { type: 'string', maxLength: 256 }, sortOrder: { enum: ['asc', 'desc'], default: 'desc' } };
  app.get('/:userId/messages', { config, schema: { params: pathParams(), querystring: listQuery(listFilters), response: okList(messageSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const q = req.query as ListQuery;
    const { items, more } = await readPage(q, (page, size) =>
      store.listVoiceResources(c.accountId, 'message', {
        page,
        size,
        order: q.sortOrder ?? 'desc',
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
      }),
    );
    linkNext(req, reply, c, q, more);
    return items.map((m) => messageView(c, m));
  });

  app.get('/:userId/messages/:messageId', { config, schema: { params: pathParams('messageId'), response: ok(messageSchema) } }, async (req) => {
    const c = contextOf(req);
    const id = (req.params as { messageId: string }).messageId;
    const m = await store.getVoiceResource(c.accountId, 'message', id);
    if (!m) throw notFound('message-not-found', 'message', id);
    return messageView(c, m);
  });
}

/** The engine's refusal (messaging/errors.ts) in the family's words: its status, its code kebab-cased. */
function engineError(e: MessagingError, b: MessageBody): VoiceApiError {
  const category: ErrorCategory = e.statusCode === 403 ? 'forbidden' : e.statusCode === 404 ? 'not-found' : e.statusCode >= 500 ? 'backend' : 'bad-request';
  const field = e.code === 'bad_number' || e.code === 'opted_out' ? 'to' : e.code === 'bad_from_number' || e.code === 'sms_disabled' ? 'from' : e.code === 'body_too_long' || e.code === 'empty_message' ? 'text' : 'media';
  const value = field === 'media' ? JSON.stringify(b.media ?? []) : (b[field] ?? '');
  return new VoiceApiError(e.statusCode, category, e.code.replace(/_/g, '-'), e.message, [{ name: field, value }]);
}
