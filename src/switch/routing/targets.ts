/**
 * What every routing planner builds its plans from (carrier.ts, device.ts, originate.ts, transfer.ts):
 * how a user, a device, a line and Ringside's own identity look in the facts, and the ring targets that
 * reach a user's devices or a number through a trunk.
 */
import type { LineRef, Party, UserRef } from '../../events/model/facts.js';
import type { AccountRecord, LineRecord, Store, TrunkRecord, UserRecord } from '../../store/store.js';
import type { Registrar } from '../../sip/index.js';
import type { Logger } from '../../log/logger.js';
import type { RingTarget } from '../ring-plan.js';
import { presenceOf, takesGroupCalls } from './agent-presence.js';

/** What the planners read: configuration, registrations, and Ringside's SIP host. */
export interface RoutingDeps {
  store: Store;
  registrar: Registrar;
  /** The host in the From of the INVITEs Ringside sends (SipStack.publicHost). */
  publicHost: string;
  logger: Logger;
  /** How long outgoing and internal calls ring, and transfer targets; each side of an originate unless
   *  the request says otherwise. */
  outgoingRingMs: number;
}

export const userRef = (u: UserRecord): UserRef => ({ id: String(u.id), name: u.name, username: u.email, pin: u.pin });

/** A user's device as a party: the extension (else SIP username) as its number (spec realtime §4.2). */
export const deviceParty = (u: UserRecord): Party => ({ kind: 'sip', number: u.extension ?? u.sip?.username ?? String(u.id), userId: String(u.id), name: u.name });

export const lineRef = (l: LineRecord): LineRef => ({ id: l.id, name: l.name, number: l.number });

/** A display name inside double quotes (RFC 3261 §25.1 quoted-string). */
const quoted = (name: string): string => `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** A From header showing `number` (and `name`, when known) at Ringside's own host. */
export function presenting(deps: Pick<RoutingDeps, 'publicHost'>, number: string, name?: string): string {
  return `${name ? `${quoted(name)} ` : ''}<sip:${number}@${deps.publicHost}>`;
}

/** One target per registered device of the user (sent to the REGISTER's source, RFC 3581 style, or along
 *  its Path); none registered → one target with nothing to ring (CHANUNAVAIL). */
export async function deviceTargets(deps: Pick<RoutingDeps, 'registrar'>, user: UserRecord, from: string): Promise<RingTarget[]> {
  const base = { party: deviceParty(user), user: userRef(user) };
  const contacts = await deps.registrar.lookup(String(user.id));
  if (contacts.length === 0) return [{ ...base, requests: [] }];
  // RFC 3327 §5.4: a binding's Path becomes the INVITE's preloaded Route set (sent to its first hop).
  return contacts.map((c): RingTarget => ({ ...base, requests: [{ to: c.aor, requestUri: c.uri, from, destination: c.destination, ...(c.route ? { headers: { route: c.route.join(', ') } } : {}) }] }));
}

/** An external number through the trunk, presenting `callerId` (and a display name when known); without a
 *  trunk, a target with nothing to ring. */
export function trunkTarget(deps: Pick<RoutingDeps, 'publicHost'>, number: string, callerId: string, trunk: TrunkRecord | undefined, name?: string): RingTarget {
  const target: RingTarget = { party: { kind: 'phone', number }, callerId, requests: [] };
  if (trunk)
    target.requests.push({
      to: `sip:${number}@${trunk.host}:${trunk.port}`,
      from: presenting(deps, callerId, name),
      transport: trunk.transport,
      ...(trunk.auth ? { credentials: { username: trunk.auth.username, password: trunk.auth.password } } : {}),
    });
  return target;
}

/** The account's trunk, else the first one configured. */
export async function trunkOf(deps: Pick<RoutingDeps, 'store'>, account: AccountRecord): Promise<TrunkRecord | undefined> {
  if (account.trunk) return deps.store.getTrunk(account.trunk);
  return (await deps.store.listTrunks())[0];
}

/** The users with these ids who belong to the account and take calls (spec realtime §1 "available to
 *  receive calls"), in the order given: the members a line or ring group hunts, so an agent who is paused
 *  or logged out is left out too (docs/call-centre.md, "Agents"). */
export async function availableUsers(deps: Pick<RoutingDeps, 'store'>, account: AccountRecord, ids: readonly number[]): Promise<UserRecord[]> {
  const users: UserRecord[] = [];
  const presence = ids.length > 0 ? new Map((await deps.store.listAgentPresence(account.id)).map((r) => [r.userId, r])) : new Map();
  for (const id of ids) {
    const u = await deps.store.getUser(id);
    if (u && u.accountId === account.id && u.available && takesGroupCalls(presenceOf(u, presence.get(id)))) users.push(u);
  }
  return users;
}

/** The account's numbers (E.164), for the caller-ID rules (dial-plan.ts `outgoingCallerId`). */
export async function accountNumbers(deps: Pick<RoutingDeps, 'store'>, account: AccountRecord): Promise<string[]> {
  return (await deps.store.listNumbers(account.id)).map((n) => n.number);
}

/** The line of an account number (the line a presented caller ID belongs to), if any. */
export async function lineOfNumber(deps: Pick<RoutingDeps, 'store'>, account: AccountRecord, number: string): Promise<LineRecord | undefined> {
  const n = await deps.store.findNumber(number);
  return n?.lineId ? deps.store.getLine(account.id, n.lineId) : undefined;
}

/** A user by extension, else by PIN (what 1–6 digits dialled from a device or a Refer-To name). */
export async function userByExtensionOrPin(deps: Pick<RoutingDeps, 'store'>, account: AccountRecord, digits: string): Promise<UserRecord | undefined> {
  return (await deps.store.findUserByExtension(account.id, digits)) ?? (await deps.store.findUserByPin(account.id, digits));
}
