/**
 * `replaceProvisioning` for PostgreSQL: the config file becomes the store's provisioning in one
 * transaction, exactly as sqlite-store.ts does it (REST-made applications, webhooks and number links kept;
 * an unchanged password or secret keeps its hash). Every node of a cluster calls it at start with the same
 * file; the provisioning advisory lock, taken first inside the transaction, makes concurrent calls run one
 * after the other instead of failing on each other's rows or interleaving.
 */
import type pg from 'pg';
import type { ProvisioningConfig } from '../config/config-types.js';
import { lockKey, type PgDatabase } from './pg-database.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import type { AccountRecord, NumberRecord, ProvisioningChange, ProvisioningResource, RecordOf, UserRecord } from './store.js';
import { deleteSql, fileCredentials, planWrite, rowChanges, SNAPSHOT_QUERIES, upsertSql, writeHashes, type ProvisioningSnapshot } from './provisioning-writes.js';

const PROVISIONING_TABLES = ['accounts', 'users', 'numbers', 'lines', 'ring_groups', 'trunks', 'api_credentials', 'flows'];

/** Serialises the writers of provisioning (replace, applications, number links) for the rest of the
 *  caller's transaction: released at COMMIT or ROLLBACK. */
export async function lockProvisioning(client: pg.PoolClient, schema: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey(`${schema}/store/provisioning`)]);
}

/** `beforeCommit` runs last inside the transaction (the caller's NOTIFY to the other nodes). */
export async function replacePgProvisioning(db: PgDatabase, config: ProvisioningConfig, seed: string | undefined, beforeCommit: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const { hashes, secretHashes } = await reuseHashes(db, config);
  await db.transaction(async (client) => {
    await lockProvisioning(client, db.schema);
    for (const t of PROVISIONING_TABLES) await client.query(`DELETE FROM ${t}`);
    await client.query(`DELETE FROM webhooks WHERE source = 'config'`);
    await client.query(`DELETE FROM applications WHERE source = 'config'`);
    await client.query(`INSERT INTO meta (key, body) VALUES ('server', $1::json) ON CONFLICT (key) DO UPDATE SET body = excluded.body`, [JSON.stringify(config.server)]);
    if (seed === undefined) await client.query(`DELETE FROM meta WHERE key = 'seed'`);
    else await client.query(`INSERT INTO meta (key, body) VALUES ('seed', $1::json) ON CONFLICT (key) DO UPDATE SET body = excluded.body`, [JSON.stringify(seed)]);
    const links = new Map(
      (await client.query<{ number: string; account_id: string; application_id: string | null }>('SELECT number, account_id, application_id FROM number_apps')).rows.map((r) => [r.number, r]),
    );
    const rows: Record<string, Record<string, unknown>[]> = { accounts: [], users: [], numbers: [], lines: [], ring_groups: [], trunks: [], applications: [], webhooks: [], api_credentials: [], flows: [] };
    for (const t of config.trunks) rows.trunks!.push({ name: t.name, body: t });
    for (const a of config.accounts) {
      const { users, numbers, lines, ringGroups, applications, webhooks, apiCredentials: _c, flows, campaigns: _campaigns, voiceApi, ...rest } = a;
      const account: AccountRecord = voiceApi ? { ...rest, voiceApi: { userId: voiceApi.userId } } : rest;
      rows.accounts!.push({ id: a.id, voice_user_id: voiceApi?.userId ?? null, body: account });
      for (const f of flows) rows.flows!.push({ account_id: a.id, id: f.id, body: { ...f, accountId: a.id } });
      for (const u of users) {
        const { password: _pw, passwordHash: _ph, ...user } = u;
        const rec: UserRecord = { ...user, accountId: a.id, passwordHash: hashes.get(u.id)! };
        rows.users!.push({ id: u.id, account_id: a.id, email: u.email.toLowerCase(), sip_username: u.sip?.username ?? null, extension: u.extension ?? null, pin: u.pin, body: rec });
      }
      const lineByNumber = new Map(lines.map((l) => [l.number, l.id]));
      for (const n of numbers) {
        const lineId = lineByNumber.get(n.number);
        const rec: NumberRecord = lineId === undefined ? { ...n, accountId: a.id } : { ...n, accountId: a.id, lineId };
        const link = links.get(n.number);
        if (link && link.account_id === a.id) {
          if (link.application_id === null) delete rec.application;
          else rec.application = link.application_id;
        }
        rows.numbers!.push({ number: n.number, account_id: a.id, body: rec });
      }
      for (const l of lines) rows.lines!.push({ account_id: a.id, id: l.id, body: { ...l, accountId: a.id } });
      for (const g of ringGroups) rows.ring_groups!.push({ account_id: a.id, id: g.id, number: g.number, body: { ...g, accountId: a.id } });
      for (const x of applications) rows.applications!.push({ account_id: a.id, id: x.id, source: 'config', body: { ...x, accountId: a.id, source: 'config' } });
      for (const w of webhooks) rows.webhooks!.push({ account_id: a.id, id: w.id, source: 'config', body: { ...w, accountId: a.id, source: 'config' } });
      for (const c of fileCredentials(a)) {
        const { secret: _s, secretHash: _h, ...cred } = c;
        rows.api_credentials!.push({ token: c.token, account_id: a.id, body: { ...cred, accountId: a.id, secretHash: secretHashes.get(c.token)! } });
      }
    }
    for (const [table, list] of Object.entries(rows)) {
      // A REST-made application or webhook with a file's id becomes the file's, as in SQLite.
      const onConflict = table === 'applications' || table === 'webhooks' ? 'ON CONFLICT (account_id, id) DO UPDATE SET source = excluded.source, body = excluded.body' : '';
      await insertAll(client, table, list, onConflict);
    }
    await beforeCommit(client);
  });
}

/** One REST write (provisioning-writes.ts), under the provisioning lock so writers of every node run one
 *  after the other, each on the provisioning the previous one left. */
export async function changePgProvisioning<R extends ProvisioningResource>(
  db: PgDatabase,
  change: ProvisioningChange<R>,
  beforeCommit: (client: pg.PoolClient) => Promise<void>,
): Promise<RecordOf<R>> {
  const hashes = await writeHashes(change);
  return db.transaction(async (client) => {
    await lockProvisioning(client, db.schema);
    const before = {} as Record<string, unknown[]>;
    for (const [k, sql] of Object.entries(SNAPSHOT_QUERIES)) before[k] = (await client.query<{ body: unknown }>(sql)).rows.map((r) => r.body);
    const snapshot = before as unknown as ProvisioningSnapshot;
    const { after, record } = planWrite(snapshot, change, hashes);
    const { deletes, upserts } = rowChanges(snapshot, after);
    for (const r of deletes) {
      const { sql, args } = deleteSql(r, 'pg');
      await client.query(sql, args);
    }
    for (const r of upserts) {
      const { sql, args } = upsertSql(r, 'pg');
      await client.query(sql, args);
    }
    await beforeCommit(client);
    return record;
  });
}

/** One INSERT per table: the rows as one JSON array, its keys the column names (a json body column takes
 *  the nested record's text as is). */
async function insertAll(client: pg.PoolClient, table: string, list: Record<string, unknown>[], onConflict: string): Promise<void> {
  if (list.length === 0) return;
  const columns = Object.keys(list[0]!).join(', ');
  await client.query(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${table}, $1::json) ${onConflict}`, [JSON.stringify(list)]);
}

/** Hashes for the file's passwords and secrets, reusing a stored hash the same password still matches
 *  (scrypt is slow by design: hashed outside the transaction, as SQLite does). */
async function reuseHashes(db: PgDatabase, config: ProvisioningConfig): Promise<{ hashes: Map<number, string>; secretHashes: Map<string, string> }> {
  const oldUsers = new Map(
    (await db.pool.query<{ id: string; hash: string }>(`SELECT id, body->>'passwordHash' AS hash FROM users`)).rows.map((r) => [Number(r.id), r.hash]),
  );
  const oldSecrets = new Map((await db.pool.query<{ token: string; hash: string }>(`SELECT token, body->>'secretHash' AS hash FROM api_credentials`)).rows.map((r) => [r.token, r.hash]));
  const hashes = new Map<number, string>();
  const secretHashes = new Map<string, string>();
  const reuse = async (plain: string, old: string | undefined) => (old && (await verifyPassword(plain, old)) ? old : hashPassword(plain));
  await Promise.all(
    config.accounts.flatMap((a) => [
      ...a.users.map(async (u) => hashes.set(u.id, u.password === undefined ? u.passwordHash! : await reuse(u.password, oldUsers.get(u.id)))),
      ...fileCredentials(a).map(async (c) => secretHashes.set(c.token, c.secret === undefined ? c.secretHash! : await reuse(c.secret, oldSecrets.get(c.token)))),
    ]),
  );
  return { hashes, secretHashes };
}
