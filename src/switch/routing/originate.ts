/**
 * `POST /voice/originate` → an originate's plan (spec realtime §5.3, docs/switch.md "Originate"): who the
 * two sides are (a user PIN, a ring-group number, an extension, or an external number), what each sees as
 * caller ID, how long each rings, and the session it starts. A request that cannot be placed is refused
 * (`OriginateRefused`) before anything is recorded.
 */
import type { Party } from '../../events/model/facts.js';
import type { AccountRecord, RingGroupRecord, UserRecord } from '../../store/store.js';
import { newCallId } from '../../util/ids.js';
import { classifyDialled, outgoingCallerId } from '../dial-plan.js';
import type { OriginatePlan, OriginateSide } from '../originate-plan.js';
import { accountNumbers, availableUsers, deviceParty, deviceTargets, lineOfNumber, lineRef, presenting, trunkOf, trunkTarget, userRef, type RoutingDeps } from './targets.js';

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
  /** The callback API's request (spec teltel §7): the caller ID each side sees (E.164 or an extension),
   *  instead of the account's — a phone side's must be an account number — and the request's four values
   *  as the client wrote them, echoed in `data.callback`. */
  callback?: { leg1CallerId: string; leg2CallerId: string; asGiven: { leg1Number: string; leg1CallerId: string; leg2Number: string; leg2CallerId: string } };
}

export type OriginateResult =
  | { ok: true; sessionId: string; callId: string }
  | { ok: false; status: number; error: string; message: string; field?: OriginateRefused['field'] };

/** Why an originate request cannot be placed: the REST status, error code and message to answer with. */
export class OriginateRefused extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    /** The request field at fault, when it is one (the callback API names it). */
    readonly field?: 'caller' | 'callee' | 'leg1CallerId' | 'leg2CallerId',
  ) {
    super(message);
    this.name = 'OriginateRefused';
  }
}

/** What an originate `caller`/`callee` names. */
type OriginateParty = { kind: 'phone'; number: string } | { kind: 'user'; user: UserRecord } | { kind: 'group'; group: RingGroupRecord };

export class OriginateRouting {
  readonly #deps: RoutingDeps;

  constructor(deps: RoutingDeps) {
    this.#deps = deps;
  }

  /** The plan of an originate; throws OriginateRefused when the request cannot be placed. */
  async plan(req: OriginateRequest): Promise<OriginatePlan> {
    const deps = this.#deps;
    const store = deps.store;
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
    const caller = await this.#party(account, req.caller, 'caller');
    const callee = await this.#party(account, req.callee, 'callee');
    // Without user_id/pin the call belongs to the user reached first, when that is a user (click-to-call).
    user ??= caller.kind === 'user' ? caller.user : undefined;
    // Phone sides see the account's caller ID by the outgoing rules (dial-plan.ts): the user's number when
    // it is an account number, else the account default (spec realtime §5.3).
    const owned = await accountNumbers(deps, account);
    const accountCallerId = outgoingCallerId(user ?? {}, owned, account.defaultCallerId);
    const anyPhone = caller.kind === 'phone' || callee.kind === 'phone';
    const given = req.callback;
    // spec teltel §7: a caller ID a phone sees goes out through the trunk, so it must be the account's.
    for (const [p, callerId, field] of [[caller, given?.leg1CallerId, 'leg1CallerId'], [callee, given?.leg2CallerId, 'leg2CallerId']] as const) {
      if (p.kind === 'phone' && callerId !== undefined && !owned.includes(callerId)) throw new OriginateRefused(422, 'invalid_caller_id', `${callerId} is not a number of this account`, field);
    }
    const phoneCallerId = given ? (caller.kind === 'phone' ? given.leg1CallerId : callee.kind === 'phone' ? given.leg2CallerId : undefined) : accountCallerId;
    if (anyPhone && phoneCallerId === undefined) throw new OriginateRefused(400, 'no_caller_id', 'the account has no number to present as caller ID');
    const trunk = anyPhone ? await trunkOf(deps, account) : undefined;
    if (anyPhone && !trunk) throw new OriginateRefused(503, 'no_trunk', 'an external number needs a trunk, and the account has none');
    const ringMs = req.ringSeconds !== undefined ? req.ringSeconds * 1000 : deps.outgoingRingMs;
    const partyOf = (p: OriginateParty): Party =>
      p.kind === 'phone' ? { kind: 'phone', number: p.number } : p.kind === 'user' ? deviceParty(p.user) : { kind: 'sip', number: p.group.number, name: p.group.name };
    const first = partyOf(caller);
    const second = partyOf(callee);
    // A device sees who it will be connected to: the other side's number (spec teltel §5.6: leg 2's caller
    // ID is the contact's number); a phone sees the account's caller ID. One leg per side: every device it
    // reaches is a request of that leg (its INVITE forked, ring-plan.ts).
    const side = async (p: OriginateParty, party: Party, other: Party, callerId: string | undefined): Promise<OriginateSide> => {
      const role = party.kind === 'sip' ? 'operator' : 'contact';
      if (p.kind === 'phone') {
        const shown = callerId ?? accountCallerId!;
        return { target: { ...trunkTarget(deps, p.number, shown, trunk), callerId: shown, role }, timeoutMs: ringMs };
      }
      const from = callerId !== undefined ? presenting(deps, callerId) : presenting(deps, other.number, other.name);
      const users = p.kind === 'user' ? [p.user] : await availableUsers(deps, account, p.group.members);
      const requests = [];
      for (const u of users) requests.push(...(await deviceTargets(deps, u, from)).flatMap((t) => t.requests));
      return {
        target: { party, callerId: callerId ?? other.number, role, requests, ...(p.kind === 'user' ? { user: userRef(p.user) } : {}) },
        timeoutMs: p.kind === 'group' && req.ringSeconds === undefined ? p.group.timeoutSeconds * 1000 : ringMs,
      };
    };
    const firstSide = await side(caller, first, second, given?.leg1CallerId);
    const secondSide = await side(callee, second, first, given?.leg2CallerId);
    const userIds: string[] = [];
    const addUser = (id: number | string | undefined) => {
      if (id !== undefined && !userIds.includes(String(id))) userIds.push(String(id));
    };
    addUser(user?.id);
    for (const p of [caller, callee]) {
      if (p.kind === 'user') addUser(p.user.id);
      if (p.kind === 'group') for (const u of await availableUsers(deps, account, p.group.members)) addUser(u.id);
    }
    const line = anyPhone ? await lineOfNumber(deps, account, phoneCallerId!) : undefined;
    const localParty: Party = { kind: 'local', number: phoneCallerId ?? accountCallerId ?? 'local' };
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
          leg1CallerId: firstSide.target.callerId,
          leg2Number: req.callee.trim(),
          leg2CallerId: secondSide.target.callerId,
          ...given?.asGiven,
          ...(req.traceId !== undefined ? { traceId: req.traceId } : {}),
        },
      },
      first: firstSide,
      second: secondSide,
      localParty,
    };
  }

  /** What an originate `caller`/`callee` names: a user PIN, a ring-group number, an extension, or an
   *  external number (E.164, 10 digits, 11 digits starting with 1, `00` prefix). */
  async #party(account: AccountRecord, raw: string, name: 'caller' | 'callee'): Promise<OriginateParty> {
    const store = this.#deps.store;
    const dialled = classifyDialled(raw);
    if (dialled.kind === 'external') return { kind: 'phone', number: dialled.number };
    if (dialled.kind === 'extension') {
      const byPin = await store.findUserByPin(account.id, dialled.digits);
      if (byPin) return { kind: 'user', user: byPin };
      const group = await store.findRingGroupByNumber(account.id, dialled.digits);
      if (group) return { kind: 'group', group };
      const byExtension = await store.findUserByExtension(account.id, dialled.digits);
      if (byExtension) return { kind: 'user', user: byExtension };
      throw new OriginateRefused(400, 'unknown_target', `${name} ${raw}: no user PIN, ring group or extension with that number in this account`, name);
    }
    throw new OriginateRefused(400, 'bad_parameter', `${name} must be a phone number (E.164 or 10 digits), a user PIN or extension, or a ring-group number; got '${raw}'`, name);
  }
}
