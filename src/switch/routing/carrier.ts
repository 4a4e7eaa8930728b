/**
 * Inbound calls: a carrier trunk calls one of the account's numbers (docs/switch.md, "Inbound"). The
 * Request-URI user (else the To user) is the dialled number; the number's line decides who rings (ring-all,
 * round-robin, forward, ring-group, voicemail) and the line's options (confirmation or agent PIN, voicemail,
 * recording). A line whose strategy is `flow` runs one of the account's call flows instead: its plan carries
 * the flow (CallPlan.flow) and the switch runs it as a FlowCall (docs/call-centre.md "Call flows").
 */
import type { Party } from '../../events/model/facts.js';
import type { AccountRecord, LineRecord } from '../../store/store.js';
import type { IncomingInvite } from '../../sip/index.js';
import { newCallId } from '../../util/ids.js';
import { carrierNumber, uriUser } from '../dial-plan.js';
import type { CallPlan } from '../call-plan.js';
import type { RingRound, RingTarget } from '../ring-plan.js';
import { availableUsers, deviceTargets, lineRef, presenting, trunkOf, trunkTarget, userRef, type RoutingDeps } from './targets.js';
import { flowUserIds } from '../call-flow/flow-users.js';

/** Call confirmation: the key that accepts, and how long the answering party has to press it after the
 *  prompt (docs/compatibility.md). */
const CONFIRM_DIGIT = '1';
const CONFIRM_WAIT_MS = 10_000;

/** The number a carrier call is for: the Request-URI user, else the To user, as E.164. */
export function dialledNumber(invite: IncomingInvite): string {
  const req = invite.request;
  return carrierNumber(uriUser(req.requestUri.user) ?? uriUser(req.to.uri.user) ?? '');
}

export class CarrierRouting {
  readonly #deps: RoutingDeps;
  /** Round-robin: index of the user who rings first on the next call, per line. */
  readonly #rotation = new Map<string, number>();

  constructor(deps: RoutingDeps) {
    this.#deps = deps;
  }

  /** The plan of a call from the carrier; undefined when it was refused here (404: not our number). */
  async plan(invite: IncomingInvite): Promise<CallPlan | undefined> {
    const req = invite.request;
    const store = this.#deps.store;
    const did = dialledNumber(invite);
    const number = await store.findNumber(did);
    const account = number ? await store.getAccount(number.accountId) : undefined;
    if (!number || !account) {
      this.#deps.logger.info({ sipCallId: req.callId, to: did }, 'inbound call to a number we do not have: 404');
      invite.refuse(404);
      return undefined;
    }
    const line = number.lineId ? await store.getLine(account.id, number.lineId) : undefined;
    const fromUser = uriUser(req.from.uri.user);
    const caller: Party = { kind: 'phone', number: fromUser ? carrierNumber(fromUser) : 'anonymous' };
    if (req.from.displayName) caller.name = req.from.displayName;
    const flow = line?.ring.strategy === 'flow' ? await this.#flow(account, line) : undefined;
    const ringing = flow ? { rounds: [], userIds: flowUserIds(flow.flow, await store.listRingGroups(account.id)) } : line ? await this.#lineRounds(account, line, caller) : { rounds: [], userIds: [] };
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
      ...(line && !flow ? this.#lineOptions(account, line) : {}),
      ...(line?.record ? { record: true } : {}),
      ...(flow ? { flow } : {}),
      timeLimitMs: account.limits.incomingCallSeconds * 1000,
    };
  }

  /** The call flow a `flow` line runs; undefined (the call is refused as nobody answering) when the store
   *  no longer has it (the config cross-check and REST keep that from happening). */
  async #flow(account: AccountRecord, line: LineRecord): Promise<CallPlan['flow']> {
    const flowId = line.ring.flow;
    const record = flowId !== undefined ? await this.#deps.store.getFlow(account.id, flowId) : undefined;
    if (!record) {
      this.#deps.logger.error({ accountId: account.id, lineId: line.id, flowId }, 'line runs a call flow the store does not have; refusing the call');
      return undefined;
    }
    const { accountId: _accountId, ...flow } = record;
    return { flow, account, voicemailMaxMs: line.voicemail.maxSeconds * 1000 };
  }

  /** A line's call options (docs/switch.md): confirmation or agent PIN, voicemail, recording. */
  #lineOptions(account: AccountRecord, line: LineRecord): Pick<CallPlan, 'screen' | 'voicemail' | 'record'> {
    const options: Pick<CallPlan, 'screen' | 'voicemail' | 'record'> = {};
    if (line.agentPinEntry) {
      // A valid PIN also accepts the call, so agent PIN entry takes the place of confirmation when both are on.
      const store = this.#deps.store;
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

  /** The line's ring strategy as rounds, and the users it concerns. */
  async #lineRounds(account: AccountRecord, line: LineRecord, caller: Party): Promise<{ rounds: RingRound[]; userIds: string[] }> {
    const deps = this.#deps;
    const ring = line.ring;
    const timeoutMs = ring.timeoutSeconds * 1000;
    const from = presenting(deps, caller.number, caller.name);
    if (ring.strategy === 'forward') {
      // Forwarded calls present the original caller's number (docs/switch.md, "Caller ID").
      const trunk = await trunkOf(deps, account);
      const targets = ring.forwardTo.map((n) => trunkTarget(deps, n, caller.number, trunk, caller.name));
      return { rounds: [{ targets, timeoutMs }], userIds: [] };
    }
    let strategy: 'ring-all' | 'round-robin' = ring.strategy === 'round-robin' ? 'round-robin' : 'ring-all';
    let memberIds = ring.users;
    let groupTimeoutMs = timeoutMs;
    if (ring.strategy === 'ring-group') {
      const group = (await deps.store.listRingGroups(account.id)).find((g) => g.id === ring.ringGroup);
      strategy = group?.strategy ?? 'ring-all';
      memberIds = group?.members ?? [];
      groupTimeoutMs = (group?.timeoutSeconds ?? ring.timeoutSeconds) * 1000;
    } else if (ring.strategy === 'voicemail') {
      // Straight to voicemail: nobody rings (the call plan's voicemail takes the call); the call concerns
      // the mailbox's owner.
      const mailbox = line.voicemail.mailboxUser ?? ring.users[0];
      return { rounds: [], userIds: mailbox !== undefined ? [String(mailbox)] : [] };
    }
    const users = await availableUsers(deps, account, memberIds);
    const userIds = users.map((u) => String(u.id));
    if (strategy === 'ring-all') {
      const targets: RingTarget[] = [];
      for (const u of users) targets.push(...(await deviceTargets(deps, u, from)));
      return { rounds: targets.length > 0 ? [{ targets, timeoutMs: groupTimeoutMs }] : [], userIds };
    }
    // Round-robin: one user at a time, starting one further along the line at every call; the whole hunt
    // fits in the ring timeout (each user rings for an equal share of it).
    if (users.length === 0) return { rounds: [], userIds };
    const start = (this.#rotation.get(line.id) ?? 0) % users.length;
    this.#rotation.set(line.id, start + 1);
    const share = Math.max(1000, Math.floor(groupTimeoutMs / users.length));
    const rounds: RingRound[] = [];
    for (let i = 0; i < users.length; i++) rounds.push({ targets: await deviceTargets(deps, users[(start + i) % users.length]!, from), timeoutMs: share });
    return { rounds, userIds };
  }
}
