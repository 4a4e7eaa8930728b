/**
 * The voice-API-compatible family (spec bandwidth §0, §3.1–§3.7, §3.9 recordings): the provider's v1
 * call-control REST under `/v1/users/{userId}/…`, so a client written for it changes only its base URL.
 *
 * | routes (after /v1/users/{userId}) | file |
 * |---|---|
 * | /applications[/{id}] | application-routes.ts |
 * | /phoneNumbers[/{numberId}] | phone-number-routes.ts |
 * | /calls[/{id}] | call-routes.ts |
 * | /calls/{id}/audio, /dtmf, /gather[/{gatherId}] | call-action-routes.ts |
 * | /calls/{id}/events[/{eventId}], /calls/{id}/recordings | call-log-routes.ts |
 * | /recordings[/{id}], /media/{recordingId}.wav | recording-routes.ts |
 * | /bridges[/{id}], /bridges/{id}/calls, /bridges/{id}/audio | bridge-routes.ts |
 * | /messages[/{id}] (spec bandwidth §3.10) | message-routes.ts |
 * | /recordings/{id}/transcriptions[/{id}], /calls/{id}/transcriptions, /media/tr-… | transcription-routes.ts |
 * | /conferences[/{id}], /audio, /members[/{memberId}[/audio]] | conference-routes.ts |
 *
 * The family is encapsulated and answers in the provider's words only: its own error handler writes every
 * error as `{category, code, message, details}` (voice-error.ts), its validator takes booleans and numbers
 * as strings and enums in any case (voice-validation.ts). Per request, in order: HTTP Basic token:secret
 * (401, before the body is read); the path's `{userId}` must be the authenticated account's voice user
 * (403: spec bandwidth §0, another user's resources); the account's rate limit (429 + `X-RateLimit-Reset`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../store/store.js';
import type { EventLog } from '../../events/log/event-log.js';
import type { VoiceControl } from '../../switch/voice/voice-control.js';
import { authPlugin } from '../shared/auth-plugin.js';
import { VoiceApiError, toVoiceError, voiceErrorSchema } from './voice-error.js';
import { voiceValidator } from './voice-validation.js';
import { originOf } from './voice-context.js';
import { AccountRateLimiter, DEFAULT_RATE_LIMIT, type RateLimitOptions } from './voice-rate-limit.js';
import { applicationRoutes } from './application-routes.js';
import { phoneNumberRoutes } from './phone-number-routes.js';
import { callRoutes } from './call-routes.js';
import { callActionRoutes } from './call-action-routes.js';
import { callLogRoutes } from './call-log-routes.js';
import { recordingRoutes } from './recording-routes.js';
import { bridgeRoutes } from './bridge-routes.js';
import { messageRoutes } from './message-routes.js';
import type { MessagingService } from '../../messaging/messaging-service.js';
import type { MmsMediaStore } from '../../messaging/mms-media-store.js';
import { transcriptionRoutes } from './transcription-routes.js';
import { conferenceRoutes } from './conference-routes.js';

export interface VoiceApiOptions {
  store: Store;
  /** The event log (a call's event list). */
  events: EventLog;
  /** The switch's call control; without it, routes that drive calls answer 503 `unavailable`. */
  voice?: VoiceControl;
  /** Per-account request rate (default 50/s, bursts of 100). */
  rateLimit?: RateLimitOptions;
  /** The texts engine (`POST /messages`); without it, sending answers 503 `unavailable`. */
  messaging?: MessagingService;
  /** Stored MMS parts, served at `/media/{messageId}-{filename}` (the `mms` callbacks' `media` URLs). */
  mmsMedia?: Pick<MmsMediaStore, 'open'>;
}

export async function voiceApi(app: FastifyInstance, options: VoiceApiOptions): Promise<void> {
  const { store, events, voice } = options;
  const limiter = new AccountRateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  app.addSchema(voiceErrorSchema);
  app.setValidatorCompiler(voiceValidator);
  if (!app.hasRequestDecorator('voiceContext')) app.decorateRequest('voiceContext', null);
  // Credentials before the body is read: an unauthenticated client learns nothing of the API's shapes.
  await app.register(authPlugin, { store, stage: 'onRequest' });

  // After every onRequest hook (the credentials check among them), before the body is parsed.
  app.addHook('preParsing', async (req) => {
    if (req.is404) return;
    req.voiceContext = await admit(req, store, limiter);
  });

  app.setErrorHandler((err, req, reply) => {
    const e = toVoiceError(err, req.headers['content-type']);
    if (e.statusCode >= 500 && !(err instanceof VoiceApiError)) req.log.error({ err, url: req.url }, 'voice API request failed');
    return reply.code(e.statusCode).headers(e.headers).send(e.body());
  });

  await app.register(
    async (users) => {
      users.setNotFoundHandler((req, reply) => {
        const e = new VoiceApiError(404, 'not-found', 'resource-not-found', `no route for ${req.method} ${req.url.split('?')[0]}`);
        return reply.code(404).send(e.body());
      });
      await users.register(applicationRoutes, { store });
      await users.register(phoneNumberRoutes, { store });
      await users.register(callRoutes, { store, ...(voice ? { voice } : {}) });
      await users.register(callActionRoutes, { store, ...(voice ? { voice } : {}) });
      await users.register(callLogRoutes, { store, events });
      await users.register(recordingRoutes, { store, ...(voice ? { voice } : {}), ...(options.mmsMedia ? { mmsMedia: options.mmsMedia } : {}) });
      await users.register(bridgeRoutes, { store, ...(voice ? { voice } : {}) });
      await users.register(messageRoutes, { store, ...(options.messaging ? { messaging: options.messaging } : {}) });
      await users.register(transcriptionRoutes, { store, ...(voice ? { voice } : {}) });
      await users.register(conferenceRoutes, { store, ...(voice ? { voice } : {}) });
    },
    { prefix: '/v1/users' },
  );
}

/** The request's voice context, or why not: 403 for another user's path, 429 past the rate. */
async function admit(req: FastifyRequest, store: Store, limiter: AccountRateLimiter) {
  const p = req.principal;
  if (!p || p.kind !== 'api') throw new VoiceApiError(401, 'authentication', 'not-authenticated', 'voice-API credentials (HTTP Basic token:secret) are required');
  const userId = (req.params as { userId?: string }).userId ?? '';
  const account = userId === '' ? undefined : await store.findAccountByVoiceUser(userId);
  if (!account || account.id !== p.accountId) {
    throw new VoiceApiError(403, 'authorization', 'access-denied', `these credentials do not give access to user '${userId}'`, [{ name: 'userId', value: userId }]);
  }
  const rate = limiter.take(p.accountId);
  if (!rate.ok) {
    const retry = String(Math.max(1, Math.ceil((rate.resetAt - Date.now()) / 1000)));
    throw new VoiceApiError(429, 'limit', 'too-many-requests', 'too many requests; retry after X-RateLimit-Reset', [], { 'X-RateLimit-Reset': String(rate.resetAt), 'Retry-After': retry });
  }
  return { accountId: p.accountId, userId, origin: originOf(req, (await store.serverConfig()).publicUrl) };
}
