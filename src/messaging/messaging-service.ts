/**
 * Texts in and out (issue 6; spec realtime §3.3, §5.4–5.6). Every text becomes a report entry and a fact
 * (`message.received` / `message.sent`) in a session of its own; an opt-out keyword puts the sender on the
 * account-wide list (`number.opted-out`, same session, after the text itself). Carriers and devices are
 * reached through small interfaces so this layer knows nothing of SIP or HTTP.
 */
import type { FactSink } from '../events/model/fact-sink.js';
import type { LineRef, MessageFact, UserRef } from '../events/model/facts.js';
import type { Logger } from '../log/logger.js';
import type { AccountRecord, MessageRecord, NumberRecord, Store, UserRecord } from '../store/store.js';
import type { CallbackTarget, VoiceMessageRecord } from '../store/voice-records.js';
import { newCallId, newSessionId } from '../util/ids.js';
import { MessagingError } from './errors.js';
import type { MmsMediaStore } from './mms-media-store.js';
import { keywordAction } from './opt-out-keywords.js';
import { checkText, normalizeNumber, type MediaPart } from './text-limits.js';

/** A carrier that carries texts out (SIP MESSAGE over the account's trunk, in the running process). */
export interface TextCarrier {
  send(text: { accountId: string; trunk?: string; from: string; to: string; body: string; parts: readonly MediaPart[] }): Promise<void>;
}

/** Hands an inbound text to a user's registered devices that accept MESSAGE (best effort). */
export interface DeviceTextDelivery {
  deliver(user: UserRecord, text: { from: string; to: string; body: string }): Promise<number>;
}

export interface InboundText {
  from: string;
  to: string;
  body: string;
  parts: MediaPart[];
  via: 'carrier-sip' | 'carrier-http';
}

export interface SendRequest {
  accountId: string;
  to: string;
  body: string;
  parts: MediaPart[];
  userId?: number;
  pin?: string;
  fromNumber?: string;
  via: 'api' | 'device' | 'voice-api';
  /** `mms` for the send-MMS endpoint: it becomes an SMS when it has no media (spec realtime §5.5). */
  requested: 'sms' | 'mms';
  /** A voice-API `POST /messages` text (spec bandwidth §3.10): `fromNumber` must be one of the account's
   *  numbers that takes texts (no line needed), and the text gets a VoiceMessageRecord and `sms`/`mms` events. */
  voice?: VoiceSend;
}

/** What a voice-API send adds (spec bandwidth §3.10). */
export interface VoiceSend {
  /** The account's voice-API user id (`u-…`). */
  userId: string;
  callback?: CallbackTarget;
  tag?: string;
  receiptRequested?: 'none' | 'all' | 'error';
  /** The media URLs as the request gave them (their content is in `parts`). */
  media: string[];
}

/** spec bandwidth §3.10: a voice-API text is at most 2048 characters. */
export const VOICE_API_MAX_TEXT_CHARS = 2048;

export interface MessagingServiceOptions {
  store: Store;
  facts: FactSink;
  /** Where MMS components are kept. */
  media: MmsMediaStore;
  /** Texts out to the PSTN. */
  carrier: TextCarrier;
  /** Texts to users' registered phones (SIP MESSAGE); without it inbound texts are stored and reported only. */
  devices?: DeviceTextDelivery;
  logger: Logger;
  now?: () => number;
  /** How long a send waits for the carrier's answer before it is refused as `carrier_failed` (502); default
   *  8 s. A SIP MESSAGE to a carrier that never answers ends only at Timer F (64*T1 = 32 s, RFC 3261
   *  17.1.2.2), longer than clients wait for an HTTP answer. */
  carrierTimeoutMs?: number;
}

/** The default of `carrierTimeoutMs`: four retransmissions of a MESSAGE over UDP (Timer E: 0.5+1+2+4 s). */
export const CARRIER_TIMEOUT_MS = 8000;

export class MessagingService {
  private readonly store: Store;
  private readonly facts: FactSink;
  private readonly media: MmsMediaStore;
  private readonly carrier: TextCarrier;
  private readonly devices: DeviceTextDelivery | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly carrierTimeoutMs: number;

  constructor(options: MessagingServiceOptions) {
    this.store = options.store;
    this.facts = options.facts;
    this.media = options.media;
    this.carrier = options.carrier;
    this.devices = options.devices;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.carrierTimeoutMs = options.carrierTimeoutMs ?? CARRIER_TIMEOUT_MS;
  }

  /** A text from a carrier to one of our numbers. Returns the stored message, or throws MessagingError. */
  async receive(text: InboundText): Promise<MessageRecord> {
    const to = normalizeNumber(text.to);
    const from = normalizeNumber(text.from) ?? text.from.trim();
    if (!to) throw new MessagingError('bad_number', `'${text.to}' is not a phone number`);
    const number = await this.store.findNumber(to);
    if (!number) throw new MessagingError('unknown_number', `${to} is not a number of this platform`, 404);
    if (!number.sms) throw new MessagingError('sms_disabled', `${to} does not take texts`, 403);
    checkText(text.body, text.parts);
    const account = (await this.store.getAccount(number.accountId))!;
    const line = number.lineId ? await this.store.getLine(account.id, number.lineId) : undefined;
    const user = await this.#ownerOf(account.id, number, from);
    const app = number.application !== undefined ? await this.store.getApplication(account.id, number.application) : undefined;
    const id = newCallId(this.now());
    const components = this.media.save(account.id, id, text.parts);
    const message: MessageRecord = {
      id, accountId: account.id, direction: 'incoming', medium: components.length > 0 ? 'mms' : 'sms', from, to, body: text.body,
      components, status: 'received', via: text.via, createdAt: this.now(),
      ...(line ? { lineId: line.id } : {}), ...(user ? { userId: user.id } : {}),
    };
    try {
      await this.store.putMessage(message);
    } catch (err) {
      this.media.discard(account.id, id);
      throw err;
    }
    // spec bandwidth §1.1: a text to a number linked to an application is that application's; its record
    // (written before the fact) tells the callback router to send the `sms`/`mms` to incomingMessageUrl.
    if (app) await this.store.putVoiceResource(this.#voiceRecord(account, message, { applicationId: app.id }));
    const sessionId = newSessionId();
    const lineRef = line ? { id: line.id, name: line.name, number: line.number } : undefined;
    await this.facts.record(this.#fact('message.received', sessionId, account, message, lineRef, user, number));
    const action = keywordAction(text.body);
    if (action?.action === 'opt-out') {
      const added = await this.store.addOptOut({ accountId: account.id, number: from, keyword: action.keyword, source: id, createdAt: this.now() });
      if (added) {
        await this.facts.record({ type: 'number.opted-out', sessionId, at: this.now(), accountId: account.id, accountcode: account.accountcode, number: from, to, keyword: action.keyword, messageId: id, ...(lineRef ? { line: lineRef } : {}) });
        this.logger.info({ accountId: account.id, number: from, keyword: action.keyword }, 'number opted out of texts');
      }
    } else if (action?.action === 'opt-in') {
      if (await this.store.removeOptOut(account.id, from)) {
        await this.facts.record({ type: 'number.opted-in', sessionId, at: this.now(), accountId: account.id, accountcode: account.accountcode, number: from, to, keyword: action.keyword, messageId: id, ...(lineRef ? { line: lineRef } : {}) });
        this.logger.info({ accountId: account.id, number: from, keyword: action.keyword }, 'number opted back in to texts');
      }
    }
    if (user && this.devices) {
      this.devices.deliver(user, { from, to, body: text.body }).then(
        (n) => this.logger.debug({ messageId: id, userId: user.id, devices: n }, 'text delivered to devices'),
        (err: unknown) => this.logger.warn({ err, messageId: id }, 'delivery to devices failed'),
      );
    }
    return message;
  }

  /** Sends a text out through the account's carrier (REST or a device). */
  async send(req: SendRequest): Promise<MessageRecord> {
    const account = await this.store.getAccount(req.accountId);
    if (!account) throw new MessagingError('unknown_account', `no account ${req.accountId}`, 404);
    const to = normalizeNumber(req.to);
    if (!to) throw new MessagingError('bad_number', `to_number '${req.to}' is not a 10-digit or E.164 number`);
    checkText(req.body, req.parts, req.voice ? VOICE_API_MAX_TEXT_CHARS : undefined);
    if (req.body.trim() === '' && req.parts.length === 0) throw new MessagingError('empty_message', 'the text is empty and has no media');
    const user = await this.#namedUser(account.id, req);
    const from = req.voice ? await this.#voiceFromNumber(account, req.fromNumber) : await this.#fromNumber(account, user, req.fromNumber);
    const optOut = await this.store.getOptOut(account.id, to);
    if (optOut) throw new MessagingError('opted_out', `${to} opted out of this account's texts (sent ${optOut.keyword}); nothing was sent`, 403);
    const id = newCallId(this.now());
    const components = this.media.save(account.id, id, req.parts);
    const message: MessageRecord = {
      id, accountId: account.id, direction: 'outgoing', medium: components.length > 0 ? 'mms' : 'sms', from: from.number.number, to, body: req.body,
      components, status: 'sent', via: req.via, createdAt: this.now(),
      ...(from.number.lineId ? { lineId: from.number.lineId } : {}), ...(user ? { userId: user.id } : {}),
    };
    try {
      await this.#sendWithin({ accountId: account.id, ...(account.trunk ? { trunk: account.trunk } : {}), from: message.from, to, body: req.body, parts: req.parts }, id);
    } catch (err) {
      // A text the carrier refused stays in the reports as failed; it emits no "sent" event.
      const reason = err instanceof Error ? err.message : String(err);
      const failed: MessageRecord = { ...message, status: 'failed', error: reason };
      await this.store.putMessage(failed);
      this.logger.warn({ messageId: id, to, err: reason }, 'carrier refused the text');
      // spec bandwidth §2.16: a voice-API text exists once accepted; a refusal is its state `error`,
      // reported by an event, not a failed request.
      if (req.voice) {
        await this.store.putVoiceResource(this.#voiceRecord(account, failed, { send: req.voice, number: from.number }));
        await this.facts.record(this.#fact('message.failed', newSessionId(), account, failed, undefined, user, from.number, req.voice));
        return failed;
      }
      throw new MessagingError('carrier_failed', timedOutReason(reason) ? `${reason}; the text is reported failed` : `the carrier did not accept the text: ${reason}`, 502);
    }
    await this.store.putMessage(message);
    if (req.voice) await this.store.putVoiceResource(this.#voiceRecord(account, message, { send: req.voice, number: from.number }));
    const line = from.number.lineId ? await this.store.getLine(account.id, from.number.lineId) : undefined;
    const lineRef = line ? { id: line.id, name: line.name, number: line.number } : undefined;
    await this.facts.record(this.#fact('message.sent', newSessionId(), account, message, lineRef, user, from.number, req.voice));
    return message;
  }

  /**
   * The carrier's answer, or a refusal once `carrierTimeoutMs` has passed. The text is then reported failed
   * (docs/messaging.md, "Out to the carrier"); the SIP transaction runs on to its own end, and an answer
   * that comes later is only logged: the client was told 502 and may send again, so it is not turned into
   * a second, contradicting outcome.
   */
  async #sendWithin(text: Parameters<TextCarrier['send']>[0], messageId: string): Promise<void> {
    const seconds = Math.round(this.carrierTimeoutMs / 100) / 10;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const sending = this.carrier.send(text);
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`the carrier did not answer within ${seconds} s`));
      }, this.carrierTimeoutMs);
    });
    sending.then(
      () => timedOut && this.logger.warn({ messageId, to: text.to }, 'the carrier accepted a text after it was reported failed (timeout)'),
      (err: unknown) => timedOut && this.logger.info({ messageId, err: err instanceof Error ? err.message : String(err) }, 'the carrier answered a timed-out text with a refusal'),
    );
    try {
      await Promise.race([sending, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** spec bandwidth §3.10 `from`: one of the account's numbers that takes texts (a line is not needed). */
  async #voiceFromNumber(account: AccountRecord, fromNumber: string | undefined): Promise<{ number: NumberRecord }> {
    const rec = fromNumber === undefined ? undefined : await this.store.findNumber(fromNumber);
    if (!rec || rec.accountId !== account.id) throw new MessagingError('bad_from_number', `from ${fromNumber ?? '(none)'} is not one of this account's numbers`);
    if (!rec.sms) throw new MessagingError('sms_disabled', `from ${rec.number} does not take texts`, 403);
    return { number: rec };
  }

  /** The voice-API record of a text (store/voice-records.ts), in its final state. */
  #voiceRecord(account: AccountRecord, m: MessageRecord, via: { applicationId: string } | { send: VoiceSend; number: NumberRecord }): VoiceMessageRecord {
    const send = 'send' in via ? via.send : undefined;
    const applicationId = 'send' in via ? via.number.application : via.applicationId;
    return {
      kind: 'message', id: m.id, accountId: account.id, userId: voiceUserOf(account), direction: m.direction === 'incoming' ? 'in' : 'out',
      from: m.from, to: m.to, text: m.body, media: send ? send.media : m.components.map((c) => c.filename),
      state: m.status === 'received' ? 'received' : m.status === 'sent' ? 'sent' : 'error', createdTime: m.createdAt,
      ...(m.error !== undefined ? { error: m.error } : {}),
      ...(applicationId !== undefined ? { applicationId } : {}),
      ...(send?.callback ? { callback: send.callback } : {}),
      ...(send?.receiptRequested !== undefined ? { receiptRequested: send.receiptRequested } : {}),
      ...(send?.tag !== undefined ? { tag: send.tag } : {}),
    };
  }

  /** The user given by `user_id` or `pin` (spec realtime §5.4), checked against the account. */
  async #namedUser(accountId: string, req: SendRequest): Promise<UserRecord | undefined> {
    if (req.userId !== undefined) {
      const u = await this.store.getUser(req.userId);
      if (!u || u.accountId !== accountId) throw new MessagingError('unknown_user', `no user ${req.userId} in this account`);
      return u;
    }
    if (req.pin !== undefined) {
      const u = await this.store.findUserByPin(accountId, req.pin);
      if (!u) throw new MessagingError('unknown_user', `no user with PIN ${req.pin} in this account`);
      return u;
    }
    return undefined;
  }

  /** From-number resolution (spec realtime §5.4): the user's own number if it is one of the account's
   *  active line numbers; else `from_number` if it is; else the account's text-from number; else an error. */
  async #fromNumber(account: AccountRecord, user: UserRecord | undefined, fromNumber: string | undefined): Promise<{ number: NumberRecord }> {
    const lineNumber = async (n: string | undefined) => {
      if (!n) return undefined;
      const rec = await this.store.findNumber(n);
      return rec && rec.accountId === account.id && rec.lineId && rec.sms ? rec : undefined;
    };
    const mine = await lineNumber(user?.phoneNumber);
    if (mine) return { number: mine };
    if (fromNumber !== undefined) {
      const normalized = normalizeNumber(fromNumber);
      const given = await lineNumber(normalized);
      if (given) return { number: given };
      throw new MessagingError('bad_from_number', `from_number ${fromNumber} is not an active line number of this account`);
    }
    const dflt = await lineNumber(account.textFromNumber);
    if (dflt) return { number: dflt };
    throw new MessagingError('no_from_number', 'no number to send from: name a user with a line number, pass from_number, or set the account\'s textFromNumber');
  }

  /** Who an inbound text belongs to: the user whose own number it is; else the user who last texted this
   *  person from this number; else the line's only user (docs/messaging.md). */
  async #ownerOf(accountId: string, number: NumberRecord, remote: string): Promise<UserRecord | undefined> {
    const users = await this.store.listUsers(accountId);
    const owner = users.find((u) => u.phoneNumber === number.number);
    if (owner) return owner;
    const last = await this.store.lastTextUser(accountId, number.number, remote);
    if (last !== undefined) return users.find((u) => u.id === last);
    if (!number.lineId) return undefined;
    const line = await this.store.getLine(accountId, number.lineId);
    const ring = line?.ring.strategy === 'ring-all' || line?.ring.strategy === 'round-robin' ? line.ring.users : [];
    return ring.length === 1 ? users.find((u) => u.id === ring[0]) : undefined;
  }

  #fact(type: MessageFact['type'], sessionId: string, account: AccountRecord, m: MessageRecord, line: LineRef | undefined, user: UserRecord | undefined, number: NumberRecord, voice?: VoiceSend): MessageFact {
    const userRef: UserRef | undefined = user ? { id: String(user.id), name: user.name, username: user.email, pin: user.pin } : undefined;
    // spec bandwidth §1.4: a message tag only in the events of the request that set it.
    const application = voice
      ? { ...(number.application !== undefined ? { id: number.application } : {}), userId: voice.userId, ...(voice.tag !== undefined ? { tag: voice.tag } : {}) }
      : number.application ? { id: number.application, userId: voiceUserOf(account) } : undefined;
    return {
      type, sessionId, at: m.createdAt, accountId: account.id, accountcode: account.accountcode, messageId: m.id, medium: m.medium,
      from: m.from, to: m.to, body: m.body,
      ...(line ? { line } : {}), ...(userRef ? { user: userRef } : {}),
      ...(m.medium === 'mms' ? { components: m.components } : {}),
      ...(application ? { application } : {}),
      ...(type === 'message.failed' && m.error !== undefined ? { error: m.error } : {}),
    };
  }
}

/** The account's voice-API user id (`u-…`): what voice-API URLs name (spec bandwidth §0). */
function voiceUserOf(account: AccountRecord): string {
  return account.voiceApi?.userId ?? account.id;
}

function timedOutReason(reason: string): boolean {
  return reason.startsWith('the carrier did not answer within');
}
