/**
 * Texts over REST, in the call-tracking provider's shapes (spec realtime §5.4–5.6): send SMS and MMS,
 * fetch MMS components, the account's opt-out list, and the HTTP inbound endpoint for carriers that
 * deliver texts by webhook (docs/messaging.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import type { Store, TrunkRecord } from '../store/store.js';
import type { MessagingService } from '../messaging/messaging-service.js';
import type { MmsMediaStore } from '../messaging/mms-media-store.js';
import { MessagingError } from '../messaging/errors.js';
import { TEXT_LIMITS, normalizeNumber, type MediaPart } from '../messaging/text-limits.js';
import { authenticate, AuthError, hasElevatedRole, type Principal } from './authenticate.js';
import { params, missing } from './request-params.js';
import { fail } from './reply.js';

export interface MessagingRouteDeps {
  store: Store;
  messaging: MessagingService;
  media: MmsMediaStore;
}

export function registerMessagingRoutes(app: FastifyInstance, deps: MessagingRouteDeps): void {
  const { store, messaging, media } = deps;

  app.post('/sms/send', async (req, reply) => {
    const principal = await authenticate(req, store);
    const p = params(req);
    return send(reply, principal, p, [], 'sms');
  });

  // spec realtime §5.5: must be multipart/form-data, zero or more media parts; none → sent as SMS.
  app.post('/mms/send', async (req, reply) => {
    const principal = await authenticate(req, store);
    if (!req.isMultipart()) return fail(reply, 415, 'not_multipart', 'send-MMS takes multipart/form-data (fields and zero or more file parts)');
    const { fields, files } = await readMultipart(req);
    return send(reply, principal, fields, files, 'mms');
  });

  async function send(reply: FastifyReply, principal: Principal, p: Record<string, string | undefined>, parts: MediaPart[], requested: 'sms' | 'mms') {
    const absent = missing(p, ['to_number']);
    if (p.payload === undefined && parts.length === 0) absent.push('payload');
    if (absent.length) return fail(reply, 400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
    if (p.account_id !== undefined && p.account_id !== principal.accountId) return fail(reply, 403, 'forbidden', `no access to account ${p.account_id}`);
    if (p.user_id !== undefined && !/^[0-9]+$/.test(p.user_id)) return fail(reply, 400, 'bad_parameter', 'user_id must be a number');
    const message = await messaging.send({
      accountId: principal.accountId,
      to: p.to_number!,
      body: p.payload ?? '',
      parts,
      via: 'api',
      requested,
      ...(p.user_id !== undefined ? { userId: Number(p.user_id) } : {}),
      ...(p.pin !== undefined ? { pin: p.pin } : {}),
      ...(p.from_number !== undefined ? { fromNumber: p.from_number } : {}),
    });
    return { success: true, uniqueId: message.id, medium: message.medium, from: message.from, to: message.to };
  }

  // spec realtime §5.6: stream one component; account id in the path or the query.
  const component = async (req: FastifyRequest<{ Params: { account_id?: string; call_id: string; filename: string } }>, reply: FastifyReply) => {
    const principal = await authenticate(req, store);
    const accountId = req.params.account_id ?? params(req).account_id ?? principal.accountId;
    if (accountId !== principal.accountId) return fail(reply, 403, 'forbidden', `no access to account ${accountId}`);
    const entry = await store.getReportEntry(accountId, req.params.call_id);
    if (!entry || entry.kind !== 'message') return fail(reply, 404, 'not_found', `no message ${req.params.call_id}`);
    const c = entry.message.components.find((x) => x.filename === req.params.filename);
    const file = c && media.open(accountId, entry.message.id, c.filename);
    if (!c || !file) return fail(reply, 404, 'not_found', `message ${req.params.call_id} has no component '${req.params.filename}'`);
    return reply.header('content-type', c.contentType).header('content-length', file.size).send(file.stream);
  };
  app.get('/mms/component/:call_id/:filename', component);
  app.get('/mms/component/:account_id/:call_id/:filename', component);

  app.get('/sms/opt-outs', async (req) => {
    const principal = await authenticate(req, store);
    const list = await store.listOptOuts(principal.accountId);
    return { success: true, data: list.map((o) => ({ number: o.number, keyword: o.keyword, source: o.source, created: new Date(o.createdAt).toISOString() })) };
  });

  app.post('/sms/opt-outs', async (req, reply) => {
    const principal = await elevated(req);
    const n = normalizeNumber(params(req).number ?? '');
    if (!n) return fail(reply, 400, 'bad_number', 'number must be a 10-digit or E.164 phone number');
    const added = await store.addOptOut({ accountId: principal.accountId, number: n, keyword: 'API', source: 'api', createdAt: Date.now() });
    return reply.code(added ? 201 : 200).send({ success: true, number: n, added });
  });

  app.delete('/sms/opt-outs/:number', async (req: FastifyRequest<{ Params: { number: string } }>, reply) => {
    const principal = await elevated(req);
    const n = normalizeNumber(req.params.number);
    if (!n || !(await store.removeOptOut(principal.accountId, n))) return fail(reply, 404, 'not_found', `${req.params.number} is not on the opt-out list`);
    return { success: true, number: n };
  });

  // Carriers that deliver texts by webhook: JSON or multipart (docs/messaging.md).
  app.post('/carrier/messages', async (req, reply) => {
    await carrierAuth(req, store);
    let fields: Record<string, string | undefined>;
    let files: MediaPart[];
    if (req.isMultipart()) ({ fields, files } = await readMultipart(req));
    else {
      fields = params(req);
      files = [];
      const media = (req.body as { media?: unknown } | undefined)?.media;
      if (media !== undefined) files = decodeMediaJson(media);
    }
    const absent = missing(fields, ['from', 'to']);
    if (absent.length) return fail(reply, 400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
    const message = await messaging.receive({ from: fields.from!, to: fields.to!, body: fields.text ?? '', parts: files, via: 'carrier-http' });
    return { success: true, uniqueId: message.id };
  });

  async function elevated(req: FastifyRequest): Promise<Principal> {
    const principal = await authenticate(req, store);
    if (!hasElevatedRole(principal)) throw new AuthError(403, 'forbidden', 'editing the opt-out list needs the manager or admin role');
    return principal;
  }
}

async function readMultipart(req: FastifyRequest): Promise<{ fields: Record<string, string | undefined>; files: MediaPart[] }> {
  const fields: Record<string, string | undefined> = {};
  const files: MediaPart[] = [];
  try {
    for await (const part of req.parts({ limits: { fileSize: TEXT_LIMITS.maxPartBytes, files: TEXT_LIMITS.maxParts, fields: 50, fieldSize: 64 * 1024 } })) {
      if (part.type === 'file') {
        const f = part as MultipartFile;
        const data = await f.toBuffer();
        files.push({ contentType: f.mimetype, data, ...(f.filename ? { filename: f.filename } : {}) });
      } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
  } catch (err) {
    // The multipart parser's limits, reworded to name the rule that was broken.
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') throw new MessagingError('too_many_parts', `at most ${TEXT_LIMITS.maxParts} media parts are allowed`, 413);
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new MessagingError('part_too_large', `a media part is larger than ${TEXT_LIMITS.maxPartBytes} bytes`, 413);
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new MessagingError('bad_multipart', (err as Error).message, 400);
    throw err;
  }
  return { fields, files };
}

function decodeMediaJson(media: unknown): MediaPart[] {
  if (!Array.isArray(media)) throw new MessagingError('bad_media', '"media" must be an array of {contentType, filename, data (base64)}');
  return media.map((m: unknown, i) => {
    const x = m as { contentType?: unknown; filename?: unknown; data?: unknown };
    if (typeof x?.contentType !== 'string' || typeof x.data !== 'string') throw new MessagingError('bad_media', `media[${i}] needs "contentType" and base64 "data"`);
    return { contentType: x.contentType, data: Buffer.from(x.data, 'base64'), ...(typeof x.filename === 'string' ? { filename: x.filename } : {}) };
  });
}

/** A carrier proves itself by its trunk's credentials (Basic) or by calling from a trunk address. */
async function carrierAuth(req: FastifyRequest, store: Store): Promise<TrunkRecord> {
  const trunks = await store.listTrunks();
  const header = req.headers.authorization;
  if (header?.toLowerCase().startsWith('basic ')) {
    const [user, ...rest] = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8').split(':');
    const t = trunks.find((x) => x.auth && x.auth.username === user && x.auth.password === rest.join(':'));
    if (t) return t;
    throw new AuthError(401, 'invalid_credentials', 'unknown carrier credentials');
  }
  const ip = req.socket.remoteAddress?.replace(/^::ffff:/, '');
  const t = trunks.find((x) => (x.inboundAddresses.length ? x.inboundAddresses : [x.host]).includes(ip ?? ''));
  if (t) return t;
  throw new AuthError(401, 'not_authenticated', `texts are accepted from a carrier trunk's address or with its credentials; ${ip} is neither`);
}
