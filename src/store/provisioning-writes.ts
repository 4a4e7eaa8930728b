/**
 * One REST provisioning write (create, replace or delete a user, number, line, ring group, trunk, API
 * credential or call flow), as both stores apply it: the store reads its whole provisioning inside its transaction
 * (`ProvisioningSnapshot`), `planWrite` applies the change in memory and re-runs the config loader's
 * cross-checks (config/cross-check.ts) on the result, and the store writes only the rows that differ
 * (`rowChanges`). A failed check throws `ProvisioningWriteError` before anything is written, so a write
 * is never half-applied. Pure: no database here, so SQLite and PostgreSQL cannot drift apart.
 */
import type { AccountConfig, LineConfig, NumberConfig, ProvisioningConfig, RingGroupConfig } from '../config/config-types.js';
import type { CallFlow } from '../config/call-flow/flow-types.js';
import { crossCheck } from '../config/cross-check.js';
import { hashPassword } from './password-hash.js';
import type {
  AccountRecord,
  ApiCredentialInput,
  ApiCredentialRecord,
  ApplicationRecord,
  FlowRecord,
  LineRecord,
  NumberRecord,
  ProvisioningChange,
  ProvisioningResource,
  RecordOf,
  ResourceTypes,
  RingGroupRecord,
  TrunkInput,
  TrunkRecord,
  UserInput,
  UserRecord,
} from './store.js';

export type ProvisioningWriteCode = 'conflict' | 'invalid_reference' | 'invalid' | 'not_found' | 'precondition_failed';

/** Why a write was refused; `field` names what is wrong (`extension`, `ring/users/0`). */
export class ProvisioningWriteError extends Error {
  override readonly name = 'ProvisioningWriteError';
  constructor(
    readonly code: ProvisioningWriteCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Every provisioning row, as the store holds it (accounts' records carry `accountId`). */
export interface ProvisioningSnapshot {
  trunks: TrunkRecord[];
  accounts: AccountRecord[];
  users: UserRecord[];
  numbers: NumberRecord[];
  lines: LineRecord[];
  ringGroups: RingGroupRecord[];
  applications: ApplicationRecord[];
  apiCredentials: ApiCredentialRecord[];
  flows: FlowRecord[];
}

/** Hashes the store made outside its transaction (scrypt is slow): for the login password and the API secret. */
export interface WriteHashes {
  passwordHash?: string;
  secretHash?: string;
}

export interface PlannedWrite<R extends ProvisioningResource = ProvisioningResource> {
  after: ProvisioningSnapshot;
  /** The written record (create/replace) or the deleted one. */
  record: RecordOf<R>;
}

/** The API credentials an account's file section provisions: its `apiCredentials` and its voice-API
 *  token (stored as a credential named `voiceApi`), each with its secret or the secret's stored hash. */
export function fileCredentials(a: AccountConfig): { token: string; secret?: string; secretHash?: string; name?: string }[] {
  if (!a.voiceApi) return a.apiCredentials;
  const v = a.voiceApi;
  return [...a.apiCredentials, { token: v.apiToken, ...(v.apiSecret !== undefined ? { secret: v.apiSecret } : {}), ...(v.apiSecretHash !== undefined ? { secretHash: v.apiSecretHash } : {}), name: 'voiceApi' }];
}

/** Hashes the change's new login password or API secret (before the store's transaction: scrypt is slow). */
export async function writeHashes(change: ProvisioningChange): Promise<WriteHashes> {
  if (change.op === 'delete') return {};
  if (change.resource === 'users' && change.value.password !== undefined) return { passwordHash: await hashPassword(change.value.password) };
  if (change.resource === 'apiCredentials' && change.value.secret !== undefined) return { secretHash: await hashPassword(change.value.secret) };
  return {};
}

/** Applies `change` to `before` and checks the result as the config loader would; throws when refused. */
export function planWrite<R extends ProvisioningResource>(before: ProvisioningSnapshot, change: ProvisioningChange<R>, hashes: WriteHashes): PlannedWrite<R> {
  const c = change as ProvisioningChange;
  if (c.resource !== 'trunks' && !before.accounts.some((a) => a.id === c.accountId)) throw new ProvisioningWriteError('not_found', 'accountId', `no account '${c.accountId}'`);
  const list = before[c.resource] as { accountId?: string }[];
  const keyOf = KEYS[c.resource] as (r: unknown) => string | number;
  const mine = (r: { accountId?: string }) => c.resource === 'trunks' || r.accountId === c.accountId;
  let index = -1;
  if (c.op !== 'create') {
    index = list.findIndex((r) => mine(r) && keyOf(r) === c.key);
    if (index < 0) throw new ProvisioningWriteError('not_found', KEY_FIELDS[c.resource], `no ${SINGULAR[c.resource]} '${String(c.key)}'`);
    if (c.precondition && !(c.precondition as (r: unknown) => boolean)(list[index])) throw new ProvisioningWriteError('precondition_failed', 'If-Match', `the ${SINGULAR[c.resource]} changed since it was read (If-Match does not match its ETag)`);
  }
  const current = index >= 0 ? list[index] : undefined;
  const next = [...list];
  let record: unknown;
  if (c.op === 'delete') {
    record = current;
    next.splice(index, 1);
  } else {
    record = toRecord(c.resource, c.accountId, c.value, current, before, hashes);
    if (c.op === 'create') {
      const key = keyOf(record);
      // Lines, ring groups and flows are named per account; users, numbers, trunks and tokens across all.
      const scoped = c.resource === 'lines' || c.resource === 'ringGroups' || c.resource === 'flows';
      if (list.some((r) => (!scoped || mine(r)) && keyOf(r) === key)) throw new ProvisioningWriteError('conflict', KEY_FIELDS[c.resource], `${SINGULAR[c.resource]} ${KEY_FIELDS[c.resource]} '${String(key)}' is already used`);
      next.push(record as { accountId?: string });
    } else next[index] = record as { accountId?: string };
  }
  const after = withLineIds({ ...before, [c.resource]: next });
  // Only what this write causes: a problem the store already had (data written before a check existed)
  // must not block every later write.
  const had = new Set(crossCheck(toConfig(before)).map((p) => refusal(p.path, p.problem, p.kind, before).message));
  const problem = crossCheck(toConfig(after))
    .map((p) => refusal(p.path, p.problem, p.kind, after))
    .find((e) => !had.has(e.message));
  if (problem) throw problem;
  return { after, record: record as RecordOf<R> };
}

const KEYS: { [R in ProvisioningResource]: (r: RecordOf<R>) => ResourceTypes[R]['key'] } = {
  users: (u) => u.id,
  numbers: (n) => n.number,
  lines: (l) => l.id,
  ringGroups: (g) => g.id,
  trunks: (t) => t.name,
  apiCredentials: (c) => c.token,
  flows: (f) => f.id,
};
const KEY_FIELDS: Record<ProvisioningResource, string> = { users: 'id', numbers: 'number', lines: 'id', ringGroups: 'id', trunks: 'name', apiCredentials: 'token', flows: 'id' };
const SINGULAR: Record<ProvisioningResource, string> = { users: 'user', numbers: 'number', lines: 'line', ringGroups: 'ring group', trunks: 'trunk', apiCredentials: 'API credential', flows: 'flow' };

function toRecord(resource: ProvisioningResource, accountId: string, value: unknown, current: unknown, before: ProvisioningSnapshot, hashes: WriteHashes): unknown {
  switch (resource) {
    case 'users': {
      const { password: _pw, sip, id, ...rest } = value as UserInput;
      const old = current as UserRecord | undefined;
      const passwordHash = hashes.passwordHash ?? old?.passwordHash;
      if (passwordHash === undefined) throw new ProvisioningWriteError('invalid', 'password', 'a new user needs a password');
      const userId = old?.id ?? id ?? before.users.reduce((max, u) => Math.max(max, u.id), 0) + 1;
      const rec: UserRecord = { id: userId, ...rest, accountId, passwordHash };
      if (sip) {
        const password = sip.password ?? (old?.sip ? old.sip.password : undefined);
        if (password === undefined) throw new ProvisioningWriteError('invalid', 'sip/password', 'SIP credentials need a password (none is stored yet)');
        rec.sip = { username: sip.username, password };
      }
      return rec;
    }
    case 'numbers': {
      const n = value as NumberConfig;
      return { ...n, accountId } satisfies NumberRecord;
    }
    case 'lines':
      return { ...(value as LineConfig), accountId } satisfies LineRecord;
    case 'ringGroups':
      return { ...(value as RingGroupConfig), accountId } satisfies RingGroupRecord;
    case 'flows': {
      // The flow's own fields in the file's order (a PUT's key comes from the URL, after the body's).
      const f = value as CallFlow;
      return { id: f.id, name: f.name, start: f.start, nodes: f.nodes, accountId } satisfies FlowRecord;
    }
    case 'trunks': {
      const { auth, ...rest } = value as TrunkInput;
      if (!auth) return rest satisfies TrunkRecord;
      const password = auth.password ?? (current as TrunkRecord | undefined)?.auth?.password;
      if (password === undefined) throw new ProvisioningWriteError('invalid', 'auth/password', 'trunk auth needs a password (none is stored yet)');
      return { ...rest, auth: { ...auth, password } } satisfies TrunkRecord;
    }
    case 'apiCredentials': {
      const { secret: _s, ...cred } = value as ApiCredentialInput;
      const secretHash = hashes.secretHash ?? (current as ApiCredentialRecord | undefined)?.secretHash;
      if (secretHash === undefined) throw new ProvisioningWriteError('invalid', 'secret', 'a new API credential needs a secret');
      return { ...cred, accountId, secretHash } satisfies ApiCredentialRecord;
    }
  }
}

/** A number's `lineId` is the line advertising it (as replaceProvisioning sets it). */
function withLineIds(s: ProvisioningSnapshot): ProvisioningSnapshot {
  const lineOf = new Map(s.lines.map((l) => [`${l.accountId}\u0000${l.number}`, l.id]));
  const numbers = s.numbers.map((n) => {
    const { lineId: _old, ...rest } = n;
    const lineId = lineOf.get(`${n.accountId}\u0000${n.number}`);
    return lineId === undefined ? rest : { ...rest, lineId };
  });
  return { ...s, numbers };
}

/** The snapshot as the config file's shape, for crossCheck (secrets are not checked there: blanks). */
export function toConfig(s: ProvisioningSnapshot): ProvisioningConfig {
  const of = <T extends { accountId: string }>(list: T[], id: string) => list.filter((x) => x.accountId === id);
  return {
    server: { sipRealm: '', sipDigestAlgorithms: [] },
    trunks: s.trunks,
    accounts: s.accounts.map((a) => ({
      ...a,
      voiceApi: undefined,
      users: of(s.users, a.id).map(({ accountId: _a, passwordHash: _h, ...u }) => ({ ...u, password: '' })),
      numbers: of(s.numbers, a.id).map(({ accountId: _a, lineId: _l, ...n }) => n),
      lines: of(s.lines, a.id).map(({ accountId: _a, ...l }) => l),
      ringGroups: of(s.ringGroups, a.id).map(({ accountId: _a, ...g }) => g),
      applications: of(s.applications, a.id).map(({ accountId: _a, source: _s, ...x }) => x),
      webhooks: [],
      apiCredentials: of(s.apiCredentials, a.id).map(({ accountId: _a, secretHash: _h, ...c }) => ({ ...c, secret: '' })),
      flows: of(s.flows, a.id).map(({ accountId: _a, ...f }) => f),
    })),
  } as ProvisioningConfig;
}

const PLURAL_TO_RESOURCE: Record<string, ProvisioningResource> = { users: 'users', numbers: 'numbers', lines: 'lines', ringGroups: 'ringGroups', trunks: 'trunks', apiCredentials: 'apiCredentials', flows: 'flows' };

/** A crossCheck problem as the REST answer names it: the field inside its resource, and words without
 *  the file's JSON pointers. */
function refusal(path: string, problem: string, kind: string | undefined, s: ProvisioningSnapshot): ProvisioningWriteError {
  const parts = path.split('/').slice(1);
  // /accounts/0/users/3/extension → users 'extension'; /trunks/1/name → trunks 'name'; /accounts/0/trunk → 'trunk'.
  const resource = parts[0] === 'trunks' ? 'trunks' : parts[2] !== undefined ? PLURAL_TO_RESOURCE[parts[2]] : undefined;
  const inResource = parts[0] === 'trunks' ? parts.slice(2) : resource ? parts.slice(4) : parts.slice(2);
  const field = inResource.join('/') || parts[parts.length - 1] || 'body';
  const words = problem.replace(/ is already used at \S+/, ' is already used').replace(/ \(\/accounts\/\d+\/numbers\)/, '');
  // Which record holds the problem: the written one, or another that refers to what the write removed.
  let holder = '';
  if (parts[0] === 'accounts') {
    const account = s.accounts[Number(parts[1])];
    if (account && resource) {
      const r = (s[resource] as { accountId?: string }[]).filter((x) => x.accountId === account.id)[Number(parts[3])];
      if (r) holder = `${SINGULAR[resource]} '${String((KEYS[resource] as (x: unknown) => unknown)(r))}' `;
    } else if (account) holder = `account '${account.id}' `;
  } else if (resource === 'trunks') holder = `trunk '${s.trunks[Number(parts[1])]?.name ?? ''}' `;
  const code = kind === 'duplicate' ? 'conflict' : kind === 'reference' ? 'invalid_reference' : 'invalid';
  // A flow's graph problem is the validator's words, which name the node and output already.
  if (resource === 'flows' && field !== 'id') return new ProvisioningWriteError(code, field, `${holder.trimEnd()}: ${words}`);
  return new ProvisioningWriteError(code, field, `${holder}${field}: ${words}`);
}

/** A table's row: its columns (a `body` column holds the record as JSON) and its primary key. */
export interface ProvisioningRow {
  table: string;
  key: string[];
  columns: Record<string, string | number | null>;
}

/** The rows a snapshot is stored as (the same columns replaceProvisioning writes). */
export function snapshotRows(s: ProvisioningSnapshot): ProvisioningRow[] {
  const body = (r: unknown) => JSON.stringify(r);
  return [
    ...s.trunks.map((t) => ({ table: 'trunks', key: ['name'], columns: { name: t.name, body: body(t) } })),
    ...s.users.map((u) => ({
      table: 'users',
      key: ['id'],
      columns: { id: u.id, account_id: u.accountId, email: u.email.toLowerCase(), sip_username: u.sip?.username ?? null, extension: u.extension ?? null, pin: u.pin, body: body(u) },
    })),
    ...s.numbers.map((n) => ({ table: 'numbers', key: ['number'], columns: { number: n.number, account_id: n.accountId, body: body(n) } })),
    ...s.lines.map((l) => ({ table: 'lines', key: ['account_id', 'id'], columns: { account_id: l.accountId, id: l.id, body: body(l) } })),
    ...s.ringGroups.map((g) => ({ table: 'ring_groups', key: ['account_id', 'id'], columns: { account_id: g.accountId, id: g.id, number: g.number, body: body(g) } })),
    ...s.apiCredentials.map((c) => ({ table: 'api_credentials', key: ['token'], columns: { token: c.token, account_id: c.accountId, body: body(c) } })),
    ...s.flows.map((f) => ({ table: 'flows', key: ['account_id', 'id'], columns: { account_id: f.accountId, id: f.id, body: body(f) } })),
  ];
}

/** What turns `before`'s rows into `after`'s: deletions first (so a moved unique value is free), then upserts. */
export function rowChanges(before: ProvisioningSnapshot, after: ProvisioningSnapshot): { deletes: ProvisioningRow[]; upserts: ProvisioningRow[] } {
  const id = (r: ProvisioningRow) => `${r.table}\u0000${r.key.map((k) => String(r.columns[k])).join('\u0000')}`;
  const old = new Map(snapshotRows(before).map((r) => [id(r), r]));
  const now = new Map(snapshotRows(after).map((r) => [id(r), r]));
  const deletes = [...old].filter(([k]) => !now.has(k)).map(([, r]) => r);
  const upserts = [...now].filter(([k, r]) => JSON.stringify(old.get(k)?.columns) !== JSON.stringify(r.columns)).map(([, r]) => r);
  return { deletes, upserts };
}

/** `INSERT … ON CONFLICT (key) DO UPDATE` for a row, with `$n` (PostgreSQL) or `?` (SQLite) placeholders. */
export function upsertSql(row: ProvisioningRow, dialect: 'pg' | 'sqlite'): { sql: string; args: (string | number | null)[] } {
  const cols = Object.keys(row.columns);
  const marks = cols.map((c, i) => (dialect === 'pg' ? `$${i + 1}${c === 'body' ? '::json' : ''}` : '?'));
  const updates = cols.filter((c) => !row.key.includes(c)).map((c) => `${c} = excluded.${c}`);
  return { sql: `INSERT INTO ${row.table} (${cols.join(', ')}) VALUES (${marks.join(', ')}) ON CONFLICT (${row.key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`, args: cols.map((c) => row.columns[c]!) };
}

export function deleteSql(row: ProvisioningRow, dialect: 'pg' | 'sqlite'): { sql: string; args: (string | number | null)[] } {
  return { sql: `DELETE FROM ${row.table} WHERE ${row.key.map((k, i) => `${k} = ${dialect === 'pg' ? `$${i + 1}` : '?'}`).join(' AND ')}`, args: row.key.map((k) => row.columns[k]!) };
}

/** SELECTs that read a snapshot (the same on both stores: every provisioning body). */
export const SNAPSHOT_QUERIES: Record<keyof ProvisioningSnapshot, string> = {
  trunks: 'SELECT body FROM trunks ORDER BY name',
  accounts: 'SELECT body FROM accounts ORDER BY id',
  users: 'SELECT body FROM users ORDER BY id',
  numbers: 'SELECT body FROM numbers ORDER BY account_id, number',
  lines: 'SELECT body FROM lines ORDER BY account_id, id',
  ringGroups: 'SELECT body FROM ring_groups ORDER BY account_id, id',
  applications: 'SELECT body FROM applications ORDER BY account_id, id',
  apiCredentials: 'SELECT body FROM api_credentials ORDER BY account_id, token',
  flows: 'SELECT body FROM flows ORDER BY account_id, id',
};
