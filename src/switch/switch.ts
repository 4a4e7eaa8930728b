/**
 * The switch's front door: every new INVITE comes here (SipStack.onInvite) and becomes a Call with a
 * plan — who to ring, in which rounds, with which caller ID (docs/switch.md):
 *
 * - from a carrier trunk (source address in `trunks[].inboundAddresses`, else `host`) to one of the
 *   account's numbers: the number's line decides (ring-all, round-robin, forward, ring-group);
 * - from anyone else: a user's device, digest-authenticated exactly like REGISTER (RFC 3261 §22.4,
 *   RFC 8760); an external number goes out through the account's trunk, an extension or PIN rings that
 *   user's devices (an internal call).
 *
 * It also places originate calls (`originate`, spec realtime §5.3: Ringside dials both sides) and writes
 * every finished session's report entries (call-report.ts) to the store.
 */
import type { FactSink } from '../events/model/fact-sink.js';
import type { CallFact, LineRef, Party, UserRef } from '../events/model/facts.js';
import type { AccountRecord, LineRecord, RingGroupRecord, Store, TrunkRecord, UserRecord } from '../store/store.js';
import { DigestAuthenticator, type DigestAlgorithm, type IncomingInvite, type Registrar, type SipCredentialLookup, type SipStack } from '../sip/index.js';
import type { MediaControl } from '../media/media-control.js';
import type { Logger } from '../log/logger.js';
import { newCallId } from '../util/ids.js';
import { Call, type CallDeps, type CallPlan, type DialRound, type DialTarget, type TransferRequest } from './call.js';
import { carrierNumber, classifyDialled, outgoingCallerId, trunkForSource, uriUser } from './dial-plan.js';
import { Originate, type OriginateTarget } from './originate.js';
import { callRecords } from './call-report.js';

export interface SwitchOptions {
  stack: SipStack;
  registrar: Registrar;
  store: Store;
  media: MediaControl;
  facts: FactSink;
  /** The SIP service's digest settings: devices authenticate INVITE exactly as they do REGISTER. */
  auth: { realm: string; algorithms: DigestAlgorithm[]; credentials: SipCredentialLookup };
  logger: Logger;
  /** The URL a recording is served at (call recordings and voicemail, teltel `audio_url`). */
  recordingUrl: (recordingId: string) => string;
  /** How long outgoing and internal calls ring before Ringside gives up (default 60 s); also each side
   *  of an originate, unless the request says otherwise. */
  outgoingRingSeconds?: number;
}

/** `POST /voice/originate` as the switch takes it (spec realtime §5.3). */
export interface OriginateRequest {
  accountId: string;
  /** Dialled first; then `callee`. Each: an external number, a user PIN or extension, a ring-group number. */
  caller: string;
  callee: string;
  /** The user the call is associated with (`user_id` / `pin`). */
  userId?: number;
  pin?: string;
  /** Echoed in teltel `data.callback.trace_id`. */
  traceId?: string;
  /** How long each side rings before Ringside gives up. */
  ringSeconds?: number;
}

export type OriginateResult =
  | { ok: true; sessionId: string; callId: string }
  | { ok: false; status: number; error: string; message: string };

/** What an originate `caller`/`callee` names. */
type OriginateParty = { kind: 'phone'; number: string } | { kind: 'user'; user: UserRecord } | { kind: 'group'; group: RingGroupRecord };

class OriginateRefused extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

/** Call confirmation: the key that accepts, and how long the answering party has to press it after the
 *  prompt (docs/compatibility.md). */
const CONFIRM_DIGIT = '1';
const CONFIRM_WAIT_MS = 10_000;

const userRef = (u: UserRecord): UserRef => ({ id: String(u.id), name: u.name, username: u.email, pin: u.pin });

/** A user's device as a party: the extension (else SIP username) as its number (spec realtime §4.2). */
const deviceParty = (u: UserRecord): Party => ({ kind: 'sip', number: u.extension ?? u.sip?.username ?? String(u.id), userId: String(u.id), name: u.name });

const lineRef = (l: LineRecord): LineRef => ({ id: l.id, name: l.name, number: l.number });

/** A display name inside double quotes (RFC 3261 §25.1 quoted-string). */
const quoted = (name: string): string => `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export class Switch {
  readonly #o: SwitchOptions;
  readonly #log: Logger;
  readonly #auth: DigestAuthenticator;
  readonly #calls = new Set<Call | Originate>();
  /** Report entries still being written (close waits for them). */
  readonly #reports = new Set<Promise<void>>();
  /** Round-robin: index of the user who rings first on the next call, per line. */
  readonly #rotation = new Map<string, number>();
  #closed = false;

  constructor(options: SwitchOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#auth = new DigestAuthenticator({ realm: options.auth.realm, algorithms: options.auth.algorithms });
    options.stack.onInvite((invite) => this.#onInvite(invite));
  }

  /** Calls in progress. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  async #onInvite(invite: IncomingInvite): Promise<void> {
    const req = invite.request;
    if (this.#closed) return void invite.reject(503);
    let plan: CallPlan | undefined;
    try {
      const trunk = trunkForSource(await this.#o.store.listTrunks(), invite.source.host);
      plan = trunk ? await this.#fromCarrier(invite) : await this.#fromDevice(invite);
    } catch (err) {
      this.#log.error({ err, sipCallId: req.callId }, 'routing an INVITE failed');
      if (invite.state === 'pending') invite.reject(500);
      return;
    }
    if (!plan || invite.state !== 'pending') return;
    this.#track(new Call(this.#callDeps(), invite, plan));
  }

  #callDeps(): CallDeps {
    return {
      stack: this.#o.stack,
      media: this.#o.media,
      facts: this.#o.facts,
      logger: this.#log,
      recordingUrl: this.#o.recordingUrl,
      transfer: {
        plan: (req) => this.#transferPlan(req),
        start: (plan, caller) => {
          if (this.#closed) return void caller.session.bye().catch(() => undefined);
          this.#track(new Call(this.#callDeps(), caller, plan));
        },
      },
    };
  }

  // ---- blind transfer (REFER from a bridged party) --------------------------------------------------

  /**
   * The session that continues a transferred call (spec teltel §5.8: a new session with the same call id,
   * type `transfer`): the transferee is its caller, already answered; the target is an extension or PIN
   * (that user's devices ring) or an external number (through the trunk). Undefined when it names nobody.
   */
  async #transferPlan(req: TransferRequest): Promise<CallPlan | undefined> {
    const store = this.#o.store;
    const a = req.plan;
    const account = await store.getAccount(a.start.accountId);
    if (!account) return undefined;
    const t = req.transferee;
    const dialled = classifyDialled(req.target);
    const userIds = [...(a.start.userIds ?? [])];
    let to: Party;
    let targets: DialTarget[];
    if (dialled.kind === 'extension') {
      const user = (await store.findUserByExtension(account.id, dialled.digits)) ?? (await store.findUserByPin(account.id, dialled.digits));
      if (!user) return undefined;
      to = deviceParty(user);
      if (!userIds.includes(String(user.id))) userIds.push(String(user.id));
      const from = this.#presenting(t.party.number, t.party.name);
      targets = user.available ? await this.#deviceTargets(user, from) : [];
    } else if (dialled.kind === 'external') {
      const trunk = await this.#trunkOf(account);
      if (!trunk) return undefined;
      // A phone keeps showing its own number (as forwards do); a device's transfer shows the account's.
      const numbers = (await store.listNumbers(account.id)).map((n) => n.number);
      const callerId = t.party.kind === 'phone' ? t.party.number : (outgoingCallerId({}, numbers, account.defaultCallerId) ?? t.party.number);
      to = { kind: 'phone', number: dialled.number };
      targets = [this.#trunkTarget(dialled.number, callerId, trunk, t.party.name)];
    } else return undefined;
    return {
      start: { ...a.start, callId: newCallId(), from: t.party, to, userIds, transferOf: { sessionId: req.sessionId, callId: a.start.callId } },
      caller: { party: t.party, ...(t.user ? { user: t.user } : {}), direction: t.direction },
      rounds: targets.length > 0 ? [{ targets, timeoutMs: (this.#o.outgoingRingSeconds ?? 60) * 1000 }] : [],
      localParty: a.localParty,
      passThrough: false,
      ...(a.record ? { record: true } : {}),
      ...(a.timeLimitMs !== undefined ? { timeLimitMs: a.timeLimitMs } : {}),
    };
  }

  /** Runs a call or originate to its end, then writes its report entries. */
  #track(call: Call | Originate): void {
    this.#calls.add(call);
    void call.run().finally(() => {
      this.#calls.delete(call);
      const p = this.#report(call.facts).finally(() => this.#reports.delete(p));
      this.#reports.add(p);
    });
  }

  /** The finished session's report entries (id = realtime uniqueId), written to the store. */
  async #report(facts: readonly CallFact[]): Promise<void> {
    try {
      for (const record of callRecords(facts)) await this.#o.store.putCall(record);
    } catch (err) {
      this.#log.error({ err, sessionId: facts[0]?.sessionId }, 'writing the call report failed');
    }
  }

  // ---- originate: Ringside dials both sides (spec realtime §5.3) ----------------------------------

  /**
   * Validates an originate request and starts it: returns at once with the session id (realtime
   * `trackingId`), or why it was refused. Nothing is recorded for a refused request.
   */
  async originate(req: OriginateRequest): Promise<OriginateResult> {
    if (this.#closed) return { ok: false, status: 503, error: 'shutting_down', message: 'Ringside is stopping' };
    let plan: ConstructorParameters<typeof Originate>[1];
    try {
      plan = await this.#originatePlan(req);
    } catch (err) {
      if (err instanceof OriginateRefused) return { ok: false, status: err.status, error: err.error, message: err.message };
      throw err;
    }
    const o = new Originate({ stack: this.#o.stack, media: this.#o.media, facts: this.#o.facts, logger: this.#log }, plan);
    this.#track(o);
    return { ok: true, sessionId: o.sessionId, callId: plan.start.callId };
  }

  async #originatePlan(req: OriginateRequest): Promise<ConstructorParameters<typeof Originate>[1]> {
    const store = this.#o.store;
    const account = await store.getAccount(req.accountId);
    if (!account) throw new OriginateRefused(404, 'not_found', `no account ${req.accountId}`);
    let user: UserRecord | undefined;
    if (req.userId !== undefined) {
      user = await store.getUser(req.userId);
      if (!user || user.accountId !== account.id) throw new OriginateRefused(400, 'unknown_user', `no user ${req.userId} in this account`);
    }
    if (req.pin !== undefined) {
      const byPin = await store.findUserByPin(account.id, req.pin);
      if (!byPin) throw new OriginateRefused(400, 'unknown_user', `no user with PIN ${req.pin} in this account`);
      if (user && user.id !== byPin.id) throw new OriginateRefused(400, 'bad_parameter', `user_id ${req.userId} and pin ${req.pin} name different users`);
      user = byPin;
    }
    const caller = await this.#originateParty(account, req.caller, 'caller');
    const callee = await this.#originateParty(account, req.callee, 'callee');
    // Without user_id/pin the call belongs to the user reached first, when that is a user (click-to-call).
    user ??= caller.kind === 'user' ? caller.user : undefined;
    const numbers = (await store.listNumbers(account.id)).map((n) => n.number);
    // Phone sides see the account's caller ID by the outgoing rules (dial-plan.ts): the user's number when
    // it is an account number, else the account default (spec realtime §5.3).
    const accountCallerId = outgoingCallerId(user ?? {}, numbers, account.defaultCallerId);
    const anyPhone = caller.kind === 'phone' || callee.kind === 'phone';
    if (anyPhone && accountCallerId === undefined) throw new OriginateRefused(400, 'no_caller_id', 'the account has no number to present as caller ID');
    const trunk = anyPhone ? await this.#trunkOf(account) : undefined;
    if (anyPhone && !trunk) throw new OriginateRefused(503, 'no_trunk', 'an external number needs a trunk, and the account has none');
    const ringMs = (req.ringSeconds ?? this.#o.outgoingRingSeconds ?? 60) * 1000;
    const partyOf = (p: OriginateParty): Party =>
      p.kind === 'phone' ? { kind: 'phone', number: p.number } : p.kind === 'user' ? deviceParty(p.user) : { kind: 'sip', number: p.group.number, name: p.group.name };
    const first = partyOf(caller);
    const second = partyOf(callee);
    // A device sees who it will be connected to: the other side's number (spec teltel §5.6: leg 2's caller
    // ID is the contact's number); a phone sees the account's caller ID.
    const side = async (p: OriginateParty, party: Party, other: Party): Promise<OriginateTarget> => {
      if (p.kind === 'phone') {
        const t = this.#trunkTarget(p.number, accountCallerId!, trunk);
        return { party, callerId: accountCallerId!, requests: t.request ? [t.request] : [], ringTimeoutMs: ringMs };
      }
      const from = this.#presenting(other.number, other.name);
      const users = p.kind === 'user' ? [p.user] : await this.#groupMembers(account, p.group);
      const requests = [];
      for (const u of users) for (const t of await this.#deviceTargets(u, from)) if (t.request) requests.push(t.request);
      const target: OriginateTarget = { party, callerId: other.number, requests, ringTimeoutMs: p.kind === 'group' && req.ringSeconds === undefined ? p.group.timeoutSeconds * 1000 : ringMs };
      if (p.kind === 'user') target.user = userRef(p.user);
      return target;
    };
    const firstTarget = await side(caller, first, second);
    const secondTarget = await side(callee, second, first);
    const userIds: string[] = [];
    const addUser = (id: number | string | undefined) => {
      if (id !== undefined && !userIds.includes(String(id))) userIds.push(String(id));
    };
    addUser(user?.id);
    for (const p of [caller, callee]) {
      if (p.kind === 'user') addUser(p.user.id);
      if (p.kind === 'group') for (const u of await this.#groupMembers(account, p.group)) addUser(u.id);
    }
    const callerIdNumber = anyPhone ? await store.findNumber(accountCallerId!) : undefined;
    const line = callerIdNumber?.lineId ? await store.getLine(account.id, callerIdNumber.lineId) : undefined;
    const localParty: Party = { kind: 'local', number: accountCallerId ?? 'local' };
    return {
      start: {
        accountId: account.id,
        accountcode: account.accountcode,
        kind: 'originate',
        callId: newCallId(),
        from: localParty,
        to: first,
        ...(line ? { line: lineRef(line) } : {}),
        ...(userIds.length > 0 ? { userIds } : {}),
        ...(user ? { user: userRef(user) } : {}),
        callback: {
          leg1Number: req.caller.trim(),
          leg1CallerId: firstTarget.callerId,
          leg2Number: req.callee.trim(),
          leg2CallerId: secondTarget.callerId,
          ...(req.traceId !== undefined ? { traceId: req.traceId } : {}),
        },
      },
      first: firstTarget,
      second: secondTarget,
      localParty,
    };
  }

  /** What an originate `caller`/`callee` names: a user PIN, a ring-group number, an extension, or an
   *  external number (E.164, 10 digits, 11 digits starting with 1, `00` prefix). */
  async #originateParty(account: AccountRecord, raw: string, name: 'caller' | 'callee'): Promise<OriginateParty> {
    const store = this.#o.store;
    const dialled = classifyDialled(raw);
    if (dialled.kind === 'external') return { kind: 'phone', number: dialled.number };
    if (dialled.kind === 'extension') {
      const byPin = await store.findUserByPin(account.id, dialled.digits);
      if (byPin) return { kind: 'user', user: byPin };
      const group = await store.findRingGroupByNumber(account.id, dialled.digits);
      if (group) return { kind: 'group', group };
      const byExtension = await store.findUserByExtension(account.id, dialled.digits);
      if (byExtension) return { kind: 'user', user: byExtension };
      throw new OriginateRefused(400, 'unknown_target', `${name} ${raw}: no user PIN, ring group or extension with that number in this account`);
    }
    throw new OriginateRefused(400, 'bad_parameter', `${name} must be a phone number (E.164 or 10 digits), a user PIN or extension, or a ring-group number; got '${raw}'`);
  }

  /** The ring group's members in this account who take calls. */
  async #groupMembers(account: AccountRecord, group: RingGroupRecord): Promise<UserRecord[]> {
    const users: UserRecord[] = [];
    for (const id of group.members) {
      const u = await this.#o.store.getUser(id);
      if (u && u.accountId === account.id && u.available) users.push(u);
    }
    return users;
  }

  // ---- inbound: a carrier calls one of our numbers -------------------------------------------------

  async #fromCarrier(invite: IncomingInvite): Promise<CallPlan | undefined> {
    const req = invite.request;
    const store = this.#o.store;
    const did = carrierNumber(uriUser(req.requestUri.user) ?? uriUser(req.to.uri.user) ?? '');
    const number = await store.findNumber(did);
    const account = number ? await store.getAccount(number.accountId) : undefined;
    if (!number || !account) {
      this.#log.info({ sipCallId: req.callId, to: did }, 'inbound call to a number we do not have: 404');
      invite.reject(404);
      return undefined;
    }
    const line = number.lineId ? await store.getLine(account.id, number.lineId) : undefined;
    const fromUser = uriUser(req.from.uri.user);
    const caller: Party = { kind: 'phone', number: fromUser ? carrierNumber(fromUser) : 'anonymous' };
    if (req.from.displayName) caller.name = req.from.displayName;
    const ringing = line ? await this.#lineRounds(account, line, caller) : { rounds: [], userIds: [] };
    return {
      start: {
        accountId: account.id,
        accountcode: account.accountcode,
        kind: 'inbound',
        callId: newCallId(),
        from: caller,
        to: { kind: 'phone', number: did },
        ...(line ? { line: lineRef(line) } : {}),
        ...(ringing.userIds.length > 0 ? { userIds: ringing.userIds } : {}),
      },
      caller: { party: caller },
      rounds: ringing.rounds,
      localParty: { kind: 'local', number: did },
      passThrough: false,
      ...(line ? this.#lineOptions(account, line) : {}),
      timeLimitMs: account.limits.incomingCallSeconds * 1000,
    };
  }

  /** A line's call options (docs/switch.md): confirmation or agent PIN, voicemail, recording. */
  #lineOptions(account: AccountRecord, line: LineRecord): Pick<CallPlan, 'screen' | 'voicemail' | 'record'> {
    const options: Pick<CallPlan, 'screen' | 'voicemail' | 'record'> = {};
    if (line.agentPinEntry) {
      // A valid PIN also accepts the call, so agent PIN entry takes the place of confirmation when both are on.
      const store = this.#o.store;
      options.screen = {
        kind: 'agent-pin',
        entry: account.agentPin.entry,
        maxPrompts: account.agentPin.maxPrompts,
        waitMs: account.agentPin.waitSeconds * 1000,
        findUser: async (pin) => {
          const u = await store.findUserByPin(account.id, pin);
          return u ? userRef(u) : undefined;
        },
      };
    } else if (line.confirmCalls) options.screen = { kind: 'confirm', acceptDigit: CONFIRM_DIGIT, waitMs: CONFIRM_WAIT_MS };
    const wantsVoicemail = line.ring.strategy === 'voicemail' || line.ring.fallback === 'voicemail';
    if (wantsVoicemail && line.voicemail.enabled) {
      const mailbox = line.voicemail.mailboxUser ?? line.ring.users[0];
      options.voicemail = { ...(mailbox !== undefined ? { mailboxUserId: String(mailbox) } : {}), maxMs: line.voicemail.maxSeconds * 1000 };
    }
    if (line.record) options.record = true;
    return options;
  }

  /** The line's ring strategy as dial rounds, and the users it concerns. */
  async #lineRounds(account: AccountRecord, line: LineRecord, caller: Party): Promise<{ rounds: DialRound[]; userIds: string[] }> {
    const ring = line.ring;
    const timeoutMs = ring.timeoutSeconds * 1000;
    const from = this.#presenting(caller.number, caller.name);
    if (ring.strategy === 'forward') {
      // Forwarded calls present the original caller's number (docs/switch.md, "Caller ID").
      const trunk = await this.#trunkOf(account);
      const targets = ring.forwardTo.map((n): DialTarget => this.#trunkTarget(n, caller.number, trunk, caller.name));
      return { rounds: [{ targets, timeoutMs }], userIds: [] };
    }
    let strategy: 'ring-all' | 'round-robin' = ring.strategy === 'round-robin' ? 'round-robin' : 'ring-all';
    let memberIds = ring.users;
    let groupTimeoutMs = timeoutMs;
    if (ring.strategy === 'ring-group') {
      const group = (await this.#o.store.listRingGroups(account.id)).find((g) => g.id === ring.ringGroup);
      strategy = group?.strategy ?? 'ring-all';
      memberIds = group?.members ?? [];
      groupTimeoutMs = (group?.timeoutSeconds ?? ring.timeoutSeconds) * 1000;
    } else if (ring.strategy === 'voicemail') {
      // Straight to voicemail: nobody rings (the call plan's voicemail takes the call); the call concerns
      // the mailbox's owner.
      const mailbox = line.voicemail.mailboxUser ?? ring.users[0];
      return { rounds: [], userIds: mailbox !== undefined ? [String(mailbox)] : [] };
    }
    const users: UserRecord[] = [];
    for (const id of memberIds) {
      const u = await this.#o.store.getUser(id);
      // Users marked unavailable are not rung (spec realtime §1 "available to receive calls").
      if (u && u.accountId === account.id && u.available) users.push(u);
    }
    const userIds = users.map((u) => String(u.id));
    if (strategy === 'ring-all') {
      const targets: DialTarget[] = [];
      for (const u of users) targets.push(...(await this.#deviceTargets(u, from)));
      return { rounds: targets.length > 0 ? [{ targets, timeoutMs: groupTimeoutMs }] : [], userIds };
    }
    // Round-robin: one user at a time, starting one further along the line at every call; the whole hunt
    // fits in the ring timeout (each user rings for an equal share of it).
    if (users.length === 0) return { rounds: [], userIds };
    const start = (this.#rotation.get(line.id) ?? 0) % users.length;
    this.#rotation.set(line.id, start + 1);
    const share = Math.max(1000, Math.floor(groupTimeoutMs / users.length));
    const rounds: DialRound[] = [];
    for (let i = 0; i < users.length; i++) rounds.push({ targets: await this.#deviceTargets(users[(start + i) % users.length]!, from), timeoutMs: share });
    return { rounds, userIds };
  }

  /** One target per registered device of the user; none registered → one target that cannot be reached. */
  async #deviceTargets(user: UserRecord, from: string): Promise<DialTarget[]> {
    const party = deviceParty(user);
    const base = { party, user: userRef(user) };
    const contacts = await this.#o.registrar.lookup(String(user.id));
    if (contacts.length === 0) return [base];
    return contacts.map((c): DialTarget => ({ ...base, request: { to: c.aor, requestUri: c.uri, from, destination: c.destination } }));
  }

  /** A From header showing `number` (and `name`, when known) at Ringside's own host. */
  #presenting(number: string, name?: string): string {
    return `${name ? `${quoted(name)} ` : ''}<sip:${number}@${this.#o.stack.publicHost}>`;
  }

  /** An external number through the trunk, presenting `callerId` (and a display name when known). */
  #trunkTarget(number: string, callerId: string, trunk: TrunkRecord | undefined, name?: string): DialTarget {
    const target: DialTarget = { party: { kind: 'phone', number }, callerId };
    if (trunk)
      target.request = {
        to: `sip:${number}@${trunk.host}:${trunk.port}`,
        from: this.#presenting(callerId, name),
        transport: trunk.transport,
        ...(trunk.auth ? { credentials: { username: trunk.auth.username, password: trunk.auth.password } } : {}),
      };
    return target;
  }

  async #trunkOf(account: AccountRecord): Promise<TrunkRecord | undefined> {
    if (account.trunk) return this.#o.store.getTrunk(account.trunk);
    return (await this.#o.store.listTrunks())[0];
  }

  // ---- from a device: outgoing and internal calls --------------------------------------------------

  async #fromDevice(invite: IncomingInvite): Promise<CallPlan | undefined> {
    const req = invite.request;
    const store = this.#o.store;
    // No toll fraud: only provisioned users with the right digest place calls (RFC 3261 §22.4).
    const auth = await this.#auth.verify(req, this.#o.auth.credentials, invite.source.host);
    if (!auth.ok) {
      if (auth.reason === 'missing' || auth.reason === 'stale' || auth.reason === 'replay') {
        // RFC 8760 §2.4: one challenge per algorithm. createResponse appends each array value as its own
        // header, but IncomingInvite.reject's type only admits strings (reported to the SIP owners).
        const challenge = { [this.#auth.challengeHeader]: this.#auth.challenge(auth.reason === 'stale') } as unknown as Record<string, string>;
        invite.reject(this.#auth.challengeStatus, { headers: challenge });
      } else {
        this.#log.warn({ sipCallId: req.callId, source: invite.source.host, reason: auth.reason }, 'INVITE with bad credentials refused');
        invite.reject(403, { reason: auth.reason === 'rate-limited' ? 'Too Many Failed Attempts' : 'Forbidden' });
      }
      return undefined;
    }
    const user = await store.getUser(Number(auth.userId));
    const account = user ? await store.getAccount(user.accountId) : undefined;
    if (!user || !account) return void invite.reject(403);
    const caller = deviceParty(user);
    const me = userRef(user);
    const dialled = classifyDialled(uriUser(req.requestUri.user) ?? '');
    const ringMs = (this.#o.outgoingRingSeconds ?? 60) * 1000;
    if (dialled.kind === 'invalid') {
      this.#log.info({ sipCallId: req.callId, dialled: dialled.raw }, 'device dialled something that is no number: 404');
      return void invite.reject(404);
    }
    if (dialled.kind === 'extension') {
      const callee = (await store.findUserByExtension(account.id, dialled.digits)) ?? (await store.findUserByPin(account.id, dialled.digits));
      if (!callee) {
        this.#log.info({ sipCallId: req.callId, dialled: dialled.digits }, 'no user with that extension or PIN: 404');
        return void invite.reject(404);
      }
      const from = this.#presenting(caller.number, user.name);
      const targets = callee.available ? await this.#deviceTargets(callee, from) : [];
      return {
        start: { accountId: account.id, accountcode: account.accountcode, kind: 'internal', callId: newCallId(), from: caller, to: deviceParty(callee), userIds: [me.id, String(callee.id)], user: me },
        caller: { party: caller, user: me },
        rounds: targets.length > 0 ? [{ targets, timeoutMs: ringMs }] : [],
        localParty: { kind: 'local', number: 'local' },
        passThrough: true,
        timeLimitMs: account.limits.outgoingCallSeconds * 1000,
      };
    }
    const numbers = (await store.listNumbers(account.id)).map((n) => n.number);
    const callerId = outgoingCallerId(user, numbers, account.defaultCallerId) ?? caller.number;
    const trunk = await this.#trunkOf(account);
    if (!trunk) {
      this.#log.warn({ sipCallId: req.callId, accountId: account.id }, 'outgoing call but the account has no trunk: 503');
      return void invite.reject(503, { reason: 'No Trunk' });
    }
    const callerIdNumber = await store.findNumber(callerId);
    const line = callerIdNumber?.lineId ? await store.getLine(account.id, callerIdNumber.lineId) : undefined;
    return {
      start: {
        accountId: account.id,
        accountcode: account.accountcode,
        kind: 'outbound',
        callId: newCallId(),
        from: caller,
        to: { kind: 'phone', number: dialled.number },
        ...(line ? { line: lineRef(line) } : {}),
        userIds: [me.id],
        user: me,
      },
      caller: { party: caller, user: me },
      rounds: [{ targets: [this.#trunkTarget(dialled.number, callerId, trunk)], timeoutMs: ringMs }],
      localParty: { kind: 'local', number: callerId },
      passThrough: true,
      // The line of the number presented decides recording, as for inbound calls on it.
      ...(line?.record ? { record: true } : {}),
      timeLimitMs: account.limits.outgoingCallSeconds * 1000,
    };
  }

  /** Stops taking calls and ends the ones in progress (ringing: 503; bridged: BYE), waiting up to 2 s. */
  async close(): Promise<void> {
    this.#closed = true;
    const calls = [...this.#calls];
    for (const c of calls) c.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(calls.map((c) => c.done)), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    if (timer) clearTimeout(timer);
    // The sessions that ended are reported before the store closes (their report starts a few microtasks
    // after `done`).
    await new Promise<void>((r) => setImmediate(r));
    await Promise.all([...this.#reports]);
  }
}
