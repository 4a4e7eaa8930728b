/**
 * A blind transfer's REFER target → the plan of the session that continues the call (spec teltel §5.8: a
 * new session with the same call id, type `transfer`). The transferee is its caller, already answered; the
 * target is an extension or PIN (that user's devices ring) or an external number (through the trunk).
 * Any conversation can be transferred out of: a call's, or an originate's.
 */
import type { Party, SessionKind } from '../../events/model/facts.js';
import { newCallId } from '../../util/ids.js';
import { classifyDialled, outgoingCallerId } from '../dial-plan.js';
import type { CallPlan } from '../call-plan.js';
import type { TransferRequest, Transferee } from '../conversation-types.js';
import type { RingTarget } from '../ring-plan.js';
import { accountNumbers, deviceParty, deviceTargets, presenting, trunkOf, trunkTarget, userByExtensionOrPin, type RoutingDeps } from './targets.js';

/**
 * What the continuing session is, and its caller leg's direction: the original's kind, the transferee's
 * own direction. But an originate's caller leg would break an originate session's shape (it has none,
 * facts.ts header), so there the session becomes the call the transferee now makes, and the transferee
 * its caller calling in (a caller leg is `in`, facts.ts; teltel then has no RING for it, spec §5.8
 * session B): a phone reaching anyone is `inbound`, a device reaching a number `outbound`, a device
 * reaching a user `internal`.
 */
function continuing(kind: SessionKind, transferee: Transferee, target: Party): { kind: SessionKind; direction: 'in' | 'out' } {
  if (kind !== 'originate') return { kind, direction: transferee.direction };
  if (transferee.party.kind === 'phone') return { kind: 'inbound', direction: 'in' };
  return { kind: target.kind === 'phone' ? 'outbound' : 'internal', direction: 'in' };
}

export class TransferRouting {
  readonly #deps: RoutingDeps;

  constructor(deps: RoutingDeps) {
    this.#deps = deps;
  }

  /** The continuing session's plan; undefined when the target names nobody (or nothing can reach it). */
  async plan(req: TransferRequest): Promise<CallPlan | undefined> {
    const deps = this.#deps;
    const account = await deps.store.getAccount(req.start.accountId);
    if (!account) return undefined;
    const t = req.transferee;
    const dialled = classifyDialled(req.target);
    const userIds = [...(req.start.userIds ?? [])];
    let to: Party;
    let targets: RingTarget[];
    if (dialled.kind === 'extension') {
      const user = await userByExtensionOrPin(deps, account, dialled.digits);
      if (!user) return undefined;
      to = deviceParty(user);
      if (!userIds.includes(String(user.id))) userIds.push(String(user.id));
      const from = presenting(deps, t.party.number, t.party.name);
      targets = user.available ? await deviceTargets(deps, user, from) : [];
    } else if (dialled.kind === 'external') {
      const trunk = await trunkOf(deps, account);
      if (!trunk) return undefined;
      // A phone keeps showing its own number (as forwards do); a device's transfer shows the account's.
      const callerId = t.party.kind === 'phone' ? t.party.number : (outgoingCallerId({}, await accountNumbers(deps, account), account.defaultCallerId) ?? t.party.number);
      to = { kind: 'phone', number: dialled.number };
      targets = [trunkTarget(deps, dialled.number, callerId, trunk, t.party.name)];
    } else return undefined;
    // The originate's request echo (`callback`) belongs to the originate, not to the call that continues it.
    const { callback: _callback, ...start } = req.start;
    const { kind, direction } = continuing(start.kind, t, to);
    return {
      start: { ...start, kind, callId: newCallId(), from: t.party, to, userIds, transferOf: { sessionId: req.sessionId, callId: req.start.callId } },
      caller: { party: t.party, ...(t.user ? { user: t.user } : {}), direction },
      rounds: targets.length > 0 ? [{ targets, timeoutMs: deps.outgoingRingMs }] : [],
      localParty: req.localParty,
      passThrough: false,
      ...(req.record ? { record: true } : {}),
      ...(req.timeLimitMs !== undefined ? { timeLimitMs: req.timeLimitMs } : {}),
    };
  }
}
