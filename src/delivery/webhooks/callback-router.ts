/**
 * Where voice-API events go without a subscription (spec bandwidth §1.1): each call's events to that call's
 * callback target — for an inbound call the application's `incomingCallUrl` settings, for a REST-created
 * call the `callbackUrl` of `POST /calls` (or of the transfer that made it) — which the switch copies into
 * the call's VoiceCallRecord before the call's first fact is logged.
 *
 * A routed target is addressed like a subscription, by a target id in the outbox's `webhookId` column:
 * `voice-call:<callId>`. Subscription ids cannot contain `:` (api/admin/webhook-view.ts), so the two never
 * collide, and dead letters of a call list, replay and discard like a subscription's. The target is
 * resolved again from the store at every attempt, so a replayed dead letter goes wherever the call's
 * callback points then, and is dead-lettered again when the call or its callback is gone.
 *
 * Texts (`route.messageId`: `voice-message:<messageId>`) go to the message's `callbackUrl`, or, for a text
 * received on a number linked to an application, to the application's `incomingMessageUrl` (the texts
 * engine writes their VoiceMessageRecord before the fact). Conferences (`route.conferenceId`:
 * `voice-conference:<conferenceId>`) go to the VoiceConferenceRecord's callback (`POST /conferences`
 * `callbackUrl`, spec bandwidth §3.8).
 */
import type { LoggedEvent } from '../../events/log/event-log.js';
import type { Store } from '../../store/store.js';
import type { CallbackTarget, VoiceCallRecord } from '../../store/voice-records.js';
import { deliveredByCall } from './bxml-delivery.js';
import type { DeliveryTarget } from './request-builder.js';

/** What the engine sends one event to: a subscription (a WebhookRecord is one) or a routed callback. */
export interface ResolvedTarget extends DeliveryTarget {
  fallbackUrl?: string;
  /** Per request (primary and fallback each), ms; absent: the engine's `requestTimeoutMs`. */
  timeoutMs?: number;
}

/** What a routed target id names: a call, a conference or a text. */
export interface RouteRef {
  kind: 'call' | 'conference' | 'message';
  id: string;
}

const PREFIXES: Record<RouteRef['kind'], string> = { call: 'voice-call:', conference: 'voice-conference:', message: 'voice-message:' };

/** Routed target ids, for JSON Schemas that accept them beside subscription ids (dead-letter routes). */
export const ROUTED_TARGET_ID_PATTERN = '^voice-(call|conference|message):[^\\s/?#]{1,128}$';

/** spec bandwidth §1.2: `callbackTimeout` is in ms, default 10 000, maximum 10 000, more than 0. */
export const MAX_CALLBACK_TIMEOUT_MS = 10_000;

/** The routed target an event belongs to, or undefined: voice-API (bandwidth) events of a call, a text or a conference. */
export function routeOf(event: Pick<LoggedEvent, 'dialect' | 'route'>): RouteRef | undefined {
  if (event.dialect !== 'bandwidth' || !event.route) return undefined;
  if (event.route.callId) return { kind: 'call', id: event.route.callId };
  // spec bandwidth §1.1: a text's `sms`/`mms` go to its own callbackUrl or its application's incomingMessageUrl.
  if (event.route.messageId) return { kind: 'message', id: event.route.messageId };
  // spec bandwidth §1.1: conference events (no callId) go to the conference's own callbackUrl.
  if (event.route.conferenceId) return { kind: 'conference', id: event.route.conferenceId };
  return undefined;
}

export function targetIdOf(ref: RouteRef): string {
  return PREFIXES[ref.kind] + ref.id;
}

/** The route a target id names, or undefined for a subscription id. */
export function parseTargetId(targetId: string): RouteRef | undefined {
  for (const kind of Object.keys(PREFIXES) as RouteRef['kind'][]) {
    const prefix = PREFIXES[kind];
    if (targetId.startsWith(prefix) && targetId.length > prefix.length) return { kind, id: targetId.slice(prefix.length) };
  }
  return undefined;
}

export function isRoutedTargetId(targetId: string): boolean {
  return parseTargetId(targetId) !== undefined;
}

/** A stored callback as the engine sends to it: voice-API dialect, the timeout kept within spec §1.2. */
export function deliveryTargetOf(cb: CallbackTarget): ResolvedTarget {
  const timeoutMs = Number.isFinite(cb.timeoutMs) && cb.timeoutMs > 0 ? Math.min(cb.timeoutMs, MAX_CALLBACK_TIMEOUT_MS) : MAX_CALLBACK_TIMEOUT_MS;
  const t: ResolvedTarget = { url: cb.url, method: cb.method, dialect: 'bandwidth', timeoutMs };
  if (cb.fallbackUrl) t.fallbackUrl = cb.fallbackUrl;
  return t;
}

export type Resolution = { ok: true; target: ResolvedTarget } | { ok: false; reason: string };

/** Maps events to routed target ids and target ids to where to send, reading the store's voice records. */
export class CallbackRouter {
  /** `getApplication`: where a received text's events go (its application's incomingMessageUrl). */
  constructor(private readonly store: Pick<Store, 'getVoiceResource'> & Partial<Pick<Store, 'getApplication'>>) {}

  /**
   * The routed target id of each entry (same order), or undefined when it has none: not a voice-API call
   * event, or the call has no callback (an outbound call created without `callbackUrl`, spec §3.2). Each
   * call is read once per batch.
   */
  async targetsFor(entries: readonly (Pick<LoggedEvent, 'accountId' | 'dialect' | 'route'> & { name?: string })[]): Promise<(string | undefined)[]> {
    const known = new Map<string, Promise<{ ok: boolean; bxml?: VoiceCallRecord['bxml'] }>>();
    return Promise.all(
      entries.map((e) => {
        const ref = routeOf(e);
        if (!ref) return undefined;
        const id = targetIdOf(ref);
        const key = `${e.accountId}\u0000${id}`;
        let has = known.get(key);
        if (!has) {
          has = this.#resolve(e.accountId, id).then((r) => ({ ok: r.ok, bxml: r.bxml }));
          known.set(key, has);
        }
        // A BXML call sends some of its events itself (bxml-delivery.ts): the engine skips those.
        return has.then((r) => (r.ok && !deliveredByCall(r.bxml, e.name) ? id : undefined));
      }),
    );
  }

  /** Where a routed target's events go now, or why they cannot go anywhere. */
  async resolve(accountId: string, targetId: string): Promise<Resolution> {
    const { bxml: _bxml, ...r } = await this.#resolve(accountId, targetId);
    return r;
  }

  /** resolve(), and the call's BXML mode (one store read for both). */
  async #resolve(accountId: string, targetId: string): Promise<Resolution & { bxml?: VoiceCallRecord['bxml'] }> {
    const ref = parseTargetId(targetId);
    if (!ref) return { ok: false, reason: `'${targetId}' is not a voice-API callback target` };
    if (ref.kind === 'message') return this.#resolveMessage(accountId, ref.id);
    if (ref.kind === 'conference') {
      const conference = await this.store.getVoiceResource(accountId, 'conference', ref.id);
      if (!conference) return { ok: false, reason: `the conference ${ref.id} no longer exists` };
      if (!conference.callback) return { ok: false, reason: `the conference ${ref.id} has no callback URL` };
      return { ok: true, target: deliveryTargetOf(conference.callback) };
    }
    if (ref.kind !== 'call') return { ok: false, reason: `${ref.kind} callbacks are not routed yet` };
    const call = await this.store.getVoiceResource(accountId, 'call', ref.id);
    if (!call) return { ok: false, reason: `the call ${ref.id} no longer exists` };
    if (!call.callback) return { ok: false, reason: `the call ${ref.id} has no callback URL` };
    return { ok: true, target: deliveryTargetOf(call.callback), ...(call.bxml ? { bxml: call.bxml } : {}) };
  }

  /** spec bandwidth §1.1: a text sent by `POST /messages` → its `callbackUrl`; a text received on a number
   *  linked to an application → the application's `incomingMessageUrl` (its fallback, method, timeout). */
  async #resolveMessage(accountId: string, messageId: string): Promise<Resolution> {
    const message = await this.store.getVoiceResource(accountId, 'message', messageId);
    if (!message) return { ok: false, reason: `the message ${messageId} no longer exists` };
    if (message.callback) return { ok: true, target: deliveryTargetOf(message.callback) };
    if (message.direction === 'out') return { ok: false, reason: `the message ${messageId} has no callback URL` };
    const app = message.applicationId !== undefined ? await this.store.getApplication?.(accountId, message.applicationId) : undefined;
    if (!app) return { ok: false, reason: `the application of message ${messageId} no longer exists` };
    if (!app.incomingMessageUrl) return { ok: false, reason: `the application ${app.id} has no incomingMessageUrl` };
    const cb: CallbackTarget = { url: app.incomingMessageUrl, method: app.callbackHttpMethod, timeoutMs: app.callbackTimeoutMs };
    if (app.incomingMessageFallbackUrl) cb.fallbackUrl = app.incomingMessageFallbackUrl;
    return { ok: true, target: deliveryTargetOf(cb) };
  }
}
