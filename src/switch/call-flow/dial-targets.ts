/**
 * Who a flow's `dial` rings, as ring rounds (ring-plan.ts), built the way a line's are (routing/carrier.ts):
 * users and ring-group members only when they take calls (presence `available`, routing/targets.ts
 * `availableUsers`), every registered device of a user forked as one leg; a number is a user's extension
 * when the account has one (rung whatever the presence, as a direct call is), else it goes out through the
 * account's trunk presenting the original caller's number (as a forwarding line does). `ring-all` is one
 * round for `timeoutSeconds`; `round-robin` and `longest-idle` ring one user at a time, in DialOrder's
 * order, each for an equal share of it. A ring group gives only its members: the node's strategy and
 * timeout apply (the defaults table of flow-types.ts), not the group's own.
 */
import type { Party } from '../../events/model/facts.js';
import type { AccountRecord, UserRecord } from '../../store/store.js';
import type { RingRound } from '../ring-plan.js';
import { availableUsers, deviceTargets, presenting, trunkOf, trunkTarget, type RoutingDeps } from '../routing/targets.js';
import type { DialOrder } from './dial-order.js';
import { FLOW_DEFAULTS, type DialStrategy, type DialTarget } from '../../config/call-flow/flow-types.js';

export interface DialRequest {
  account: AccountRecord;
  target: DialTarget;
  /** The node's strategy; undefined: ring-all (flow-types.ts defaults), a ring group's own is not used. */
  strategy?: DialStrategy;
  timeoutMs: number;
  caller: Party;
  /** `<flowId>/<nodeId>`: the round-robin rotation's key. */
  key: string;
}

type Deps = Pick<RoutingDeps, 'store' | 'registrar' | 'publicHost'>;

export async function dialRounds(deps: Deps, order: DialOrder, r: DialRequest): Promise<RingRound[]> {
  const { account, target, timeoutMs, caller } = r;
  const from = presenting(deps, caller.number, caller.name);
  if ('number' in target) {
    const user = /^[0-9]{1,6}$/.test(target.number) ? await deps.store.findUserByExtension(account.id, target.number) : undefined;
    if (user) return [{ targets: await deviceTargets(deps, user, from), timeoutMs }];
    const trunk = await trunkOf(deps, account);
    return [{ targets: [trunkTarget(deps, target.number, caller.number, trunk, caller.name)], timeoutMs }];
  }
  let ids: readonly number[];
  if ('ringGroup' in target) {
    // Only the members: the node's strategy and timeout rule (flow-types.ts defaults), not the group's.
    const group = (await deps.store.listRingGroups(account.id)).find((g) => g.id === target.ringGroup);
    ids = group?.members ?? [];
  } else ids = target.users;
  const strategy = r.strategy ?? FLOW_DEFAULTS.dial.strategy;
  return huntRounds(deps, order.order(await availableUsers(deps, account, ids), strategy, r.key), strategy, timeoutMs, from);
}

/** Users already in ring order as rounds: all in one (`ring-all`), else one each. */
export async function huntRounds(deps: Pick<RoutingDeps, 'registrar'>, users: readonly UserRecord[], strategy: DialStrategy, timeoutMs: number, from: string): Promise<RingRound[]> {
  if (users.length === 0) return [];
  if (strategy === 'ring-all') {
    const targets = [];
    for (const u of users) targets.push(...(await deviceTargets(deps, u, from)));
    return [{ targets, timeoutMs }];
  }
  const share = Math.max(1000, Math.floor(timeoutMs / users.length));
  const rounds: RingRound[] = [];
  for (const u of users) rounds.push({ targets: await deviceTargets(deps, u, from), timeoutMs: share });
  return rounds;
}
