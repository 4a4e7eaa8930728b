/**
 * The embedded store: one SQLite database in WAL mode under the data dir. Provisioning rows keep their
 * full record as JSON beside the columns lookups use, so the model can grow without a migration per field.
 */
import Database from 'better-sqlite3';
import { StatementCache } from './statement-cache.js';
import { ReadCache } from './read-cache.js';
import { createHash, randomUUID } from 'node:crypto';
import type { ProvisioningConfig, ServerConfig } from '../config/config-types.js';
import { WalFsync } from '../util/wal-fsync.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { deleteSql, fileCredentials, planWrite, rowChanges, SNAPSHOT_QUERIES, upsertSql, writeHashes, type ProvisioningSnapshot } from './provisioning-writes.js';
import type {
  AccountRecord,
  Campaign,
  Contact,
  ContactPage,
  ContactQuery,
  AgentPresenceRecord,
  ApiCredentialRecord,
  AuthSession,
  CallRecord,
  IssuedTokens,
  MessageRecord,
  OptOutRecord,
  ReportEntry,
  SipBindingRecord,
  ApplicationRecord,
  FlowRecord,
  LineRecord,
  NumberRecord,
  ProvisioningChange,
  ProvisioningCounts,
  ProvisioningResource,
  RecordOf,
  RingGroupRecord,
  Store,
  TrunkRecord,
  UserRecord,
  WebhookRecord,
} from './store.js';
import type { VoiceListQuery, VoiceResource, VoiceResourceKind, VoiceResourceOf } from './voice-records.js';

const MIGRATIONS: string[] = [
  `CREATE TABLE accounts (id TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE users (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
     sip_username TEXT UNIQUE, extension TEXT, pin TEXT NOT NULL, body TEXT NOT NULL);
   CREATE INDEX users_account ON users(account_id);
   CREATE TABLE numbers (number TEXT PRIMARY KEY, account_id TEXT NOT NULL, body TEXT NOT NULL);
   CREATE TABLE lines (account_id TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (account_id, id));
   CREATE TABLE ring_groups (account_id TEXT NOT NULL, id TEXT NOT NULL, number TEXT NOT NULL, body TEXT NOT NULL,
     PRIMARY KEY (account_id, id));
   CREATE TABLE trunks (name TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE applications (account_id TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (account_id, id));
   CREATE TABLE webhooks (account_id TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL,
     PRIMARY KEY (account_id, id));
   CREATE TABLE api_credentials (token TEXT PRIMARY KEY, account_id TEXT NOT NULL, body TEXT NOT NULL);`,
  `CREATE TABLE auth_sessions (guid TEXT PRIMARY KEY, user_id INTEGER NOT NULL, account_id TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE, token_expires_at INTEGER NOT NULL,
     refresh_hash TEXT NOT NULL UNIQUE, refresh_expires_at INTEGER NOT NULL);
   CREATE INDEX auth_sessions_refresh_expiry ON auth_sessions(refresh_expires_at);`,
  `CREATE TABLE sip_bindings (user_id TEXT NOT NULL, contact TEXT NOT NULL, expires_at INTEGER NOT NULL, body TEXT NOT NULL,
     PRIMARY KEY (user_id, contact));`,
  `CREATE TABLE report_entries (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT NOT NULL,
     created_at INTEGER NOT NULL, line_number TEXT, remote TEXT, direction TEXT, user_id INTEGER, body TEXT NOT NULL);
   CREATE INDEX report_entries_account_time ON report_entries(account_id, created_at);
   CREATE INDEX report_entries_conversation ON report_entries(account_id, line_number, remote, created_at);
   CREATE TABLE opt_outs (account_id TEXT NOT NULL, number TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (account_id, number));`,
  `CREATE TABLE meta (key TEXT PRIMARY KEY, body TEXT NOT NULL);`,
  // Voice API (spec bandwidth §3): REST-made applications survive a restart (source 'api'); a number's
  // application link set through REST overrides the file's (application_id NULL: unlinked on purpose).
  `ALTER TABLE applications ADD COLUMN source TEXT NOT NULL DEFAULT 'config';
   CREATE TABLE number_apps (number TEXT PRIMARY KEY, account_id TEXT NOT NULL, application_id TEXT);
   CREATE TABLE voice_resources (account_id TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, created_at INTEGER NOT NULL,
     call_id TEXT, bridge_id TEXT, from_number TEXT, to_number TEXT, body TEXT NOT NULL, PRIMARY KEY (account_id, kind, id));
   CREATE INDEX voice_resources_time ON voice_resources(account_id, kind, created_at);
   CREATE INDEX voice_resources_call ON voice_resources(account_id, kind, call_id);`,
  // Agent presence (docs/call-centre.md): runtime state, never touched by a re-seed from the file.
  `CREATE TABLE agent_presence (user_id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, body TEXT NOT NULL);
   CREATE INDEX agent_presence_account ON agent_presence(account_id, user_id);`,
  // Autodialer campaigns and contacts (docs/call-centre.md): runtime state, never touched by a re-seed.
  // seq keeps the order contacts were added (pages).
  `CREATE TABLE campaigns (account_id TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (account_id, id));
   CREATE TABLE contacts (seq INTEGER PRIMARY KEY AUTOINCREMENT, account_id TEXT NOT NULL, campaign_id TEXT NOT NULL, id TEXT NOT NULL,
     phone_number TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL);
   CREATE UNIQUE INDEX contacts_id ON contacts(account_id, campaign_id, id);
   CREATE UNIQUE INDEX contacts_number ON contacts(account_id, campaign_id, phone_number);
   CREATE INDEX contacts_state ON contacts(account_id, campaign_id, state, seq);`,
  // Call flows (docs/provisioning.md, "Call flows"): provisioning, replaced by each seed like lines.
  `CREATE TABLE flows (account_id TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (account_id, id));`,
  // Campaign and contact ids are integers (spec teltel §2.3 [PROP] campaign_id/contact_id): one counter each.
  `CREATE TABLE dialer_ids (kind TEXT PRIMARY KEY, next INTEGER NOT NULL);
   INSERT INTO dialer_ids (kind, next) VALUES ('campaign', 1), ('contact', 1);`,
];

const PROVISIONING_TABLES = ['accounts', 'users', 'numbers', 'lines', 'ring_groups', 'trunks', 'api_credentials', 'flows'];

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #statements: StatementCache;

  readonly #fsync: WalFsync;
  /** Provisioning as read (this store is its only writer: replaceProvisioning clears it), and each user's
   *  SIP bindings (cleared per user as they change). */
  readonly #cache = new ReadCache();
  /** Call entries waiting for this turn's transaction (putCall). */
  #pendingCalls: { record: CallRecord; resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(file: string) {
    this.#db = new Database(file);
    this.#statements = new StatementCache(this.#db);
    this.#db.pragma('journal_mode = WAL');
    // Commits do not fsync on the event loop; every write method awaits #synced() (util/wal-fsync.ts)
    // before it resolves, so a resolved write is on disk as with synchronous=FULL.
    this.#db.pragma('synchronous = NORMAL');
    this.#fsync = new WalFsync(file);
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    migrate(this.#db);
  }

  async replaceProvisioning(config: ProvisioningConfig, seed?: string): Promise<ProvisioningCounts> {
    // Hash outside the transaction (scrypt is async and slow by design); reuse an unchanged hash.
    const hashes = new Map<number, string>();
    const secretHashes = new Map<string, string>();
    await Promise.all(
      config.accounts.flatMap((a) => [
        ...a.users.map(async (u) => {
          const old = this.#json<UserRecord>('SELECT body FROM users WHERE id = ?', u.id);
          if (u.password === undefined) hashes.set(u.id, u.passwordHash!);
          else hashes.set(u.id, old && (await verifyPassword(u.password, old.passwordHash)) ? old.passwordHash : await hashPassword(u.password));
        }),
        ...fileCredentials(a).map(async (c) => {
          const old = this.#json<ApiCredentialRecord>('SELECT body FROM api_credentials WHERE token = ?', c.token);
          if (c.secret === undefined) secretHashes.set(c.token, c.secretHash!);
          else secretHashes.set(c.token, old && (await verifyPassword(c.secret, old.secretHash)) ? old.secretHash : await hashPassword(c.secret));
        }),
      ]),
    );
    const db = this.#db;
    const put = (sql: string, ...args: unknown[]) => db.prepare(sql).run(...args);
    db.transaction(() => {
      for (const t of PROVISIONING_TABLES) db.prepare(`DELETE FROM ${t}`).run();
      db.prepare(`DELETE FROM webhooks WHERE source = 'config'`).run();
      db.prepare(`DELETE FROM applications WHERE source = 'config'`).run();
      put(`INSERT INTO meta (key, body) VALUES ('server', ?) ON CONFLICT (key) DO UPDATE SET body = excluded.body`, JSON.stringify(config.server));
      if (seed === undefined) put(`DELETE FROM meta WHERE key = 'seed'`);
      else put(`INSERT INTO meta (key, body) VALUES ('seed', ?) ON CONFLICT (key) DO UPDATE SET body = excluded.body`, JSON.stringify(seed));
      for (const t of config.trunks) put('INSERT INTO trunks (name, body) VALUES (?, ?)', t.name, JSON.stringify(t));
      for (const a of config.accounts) {
        const { users, numbers, lines, ringGroups, applications, webhooks, apiCredentials: _c, flows, campaigns: _campaigns, voiceApi, ...rest } = a;
        const account: AccountRecord = voiceApi ? { ...rest, voiceApi: { userId: voiceApi.userId } } : rest;
        put('INSERT INTO accounts (id, body) VALUES (?, ?)', a.id, JSON.stringify(account));
        for (const f of flows) put('INSERT INTO flows (account_id, id, body) VALUES (?, ?, ?)', a.id, f.id, JSON.stringify({ ...f, accountId: a.id }));
        for (const u of users) {
          const { password: _pw, passwordHash: _ph, ...rest } = u;
          const rec: UserRecord = { ...rest, accountId: a.id, passwordHash: hashes.get(u.id)! };
          put('INSERT INTO users (id, account_id, email, sip_username, extension, pin, body) VALUES (?, ?, ?, ?, ?, ?, ?)', u.id, a.id, u.email.toLowerCase(), u.sip?.username ?? null, u.extension ?? null, u.pin, JSON.stringify(rec));
        }
        const lineByNumber = new Map(lines.map((l) => [l.number, l.id]));
        for (const n of numbers) {
          const lineId = lineByNumber.get(n.number);
          const rec: NumberRecord = lineId === undefined ? { ...n, accountId: a.id } : { ...n, accountId: a.id, lineId };
          const link = db.prepare('SELECT application_id FROM number_apps WHERE number = ? AND account_id = ?').get(n.number, a.id) as { application_id: string | null } | undefined;
          if (link) {
            if (link.application_id === null) delete rec.application;
            else rec.application = link.application_id;
          }
          put('INSERT INTO numbers (number, account_id, body) VALUES (?, ?, ?)', n.number, a.id, JSON.stringify(rec));
        }
        for (const l of lines) put('INSERT INTO lines (account_id, id, body) VALUES (?, ?, ?)', a.id, l.id, JSON.stringify({ ...l, accountId: a.id }));
        for (const g of ringGroups) put('INSERT INTO ring_groups (account_id, id, number, body) VALUES (?, ?, ?, ?)', a.id, g.id, g.number, JSON.stringify({ ...g, accountId: a.id }));
        for (const x of applications)
          put(`INSERT INTO applications (account_id, id, source, body) VALUES (?, ?, 'config', ?)
               ON CONFLICT (account_id, id) DO UPDATE SET source = 'config', body = excluded.body`, a.id, x.id, JSON.stringify({ ...x, accountId: a.id, source: 'config' }));
        for (const w of webhooks)
          put(`INSERT INTO webhooks (account_id, id, source, body) VALUES (?, ?, 'config', ?)
               ON CONFLICT (account_id, id) DO UPDATE SET source = 'config', body = excluded.body`, a.id, w.id, JSON.stringify({ ...w, accountId: a.id, source: 'config' }));
        for (const c of fileCredentials(a)) {
          const { secret: _s, secretHash: _h, ...cred } = c;
          put('INSERT INTO api_credentials (token, account_id, body) VALUES (?, ?, ?)', c.token, a.id, JSON.stringify({ ...cred, accountId: a.id, secretHash: secretHashes.get(c.token)! }));
        }
      }
    })();
    this.#cache.clear();
    await this.#synced();
    return this.counts();
  }

  async provisioningSeed(): Promise<string | undefined> {
    return this.#json<string>(`SELECT body FROM meta WHERE key = 'seed'`);
  }

  async changeProvisioning<R extends ProvisioningResource>(change: ProvisioningChange<R>): Promise<RecordOf<R>> {
    const hashes = await writeHashes(change);
    const db = this.#db;
    const record = db.transaction(() => {
      const before = Object.fromEntries(Object.entries(SNAPSHOT_QUERIES).map(([k, sql]) => [k, this.#jsonAll(sql)])) as unknown as ProvisioningSnapshot;
      const { after, record } = planWrite(before, change, hashes);
      const { deletes, upserts } = rowChanges(before, after);
      for (const r of deletes) {
        const { sql, args } = deleteSql(r, 'sqlite');
        this.#stmt(sql).run(...args);
      }
      for (const r of upserts) {
        const { sql, args } = upsertSql(r, 'sqlite');
        this.#stmt(sql).run(...args);
      }
      return record;
    })();
    this.#cache.clear();
    await this.#synced();
    return record;
  }

  async counts(): Promise<ProvisioningCounts> {
    const n = (t: string) => (this.#stmt(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return {
      accounts: n('accounts'),
      users: n('users'),
      numbers: n('numbers'),
      lines: n('lines'),
      ringGroups: n('ring_groups'),
      trunks: n('trunks'),
      applications: n('applications'),
      webhooks: n('webhooks'),
      apiCredentials: n('api_credentials'),
      flows: n('flows'),
    };
  }

  async serverConfig(): Promise<ServerConfig> {
    return this.#provisioned<ServerConfig>(`SELECT body FROM meta WHERE key = 'server'`) ?? { sipRealm: 'ringside', sipDigestAlgorithms: ['MD5'] };
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return this.#provisionedAll('SELECT body FROM accounts ORDER BY id');
  }
  async getAccount(accountId: string): Promise<AccountRecord | undefined> {
    return this.#provisioned('SELECT body FROM accounts WHERE id = ?', accountId);
  }
  async getUser(userId: number): Promise<UserRecord | undefined> {
    return this.#provisioned('SELECT body FROM users WHERE id = ?', userId);
  }
  async listUsers(accountId: string): Promise<UserRecord[]> {
    return this.#provisionedAll('SELECT body FROM users WHERE account_id = ? ORDER BY id', accountId);
  }
  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    return this.#provisioned('SELECT body FROM users WHERE email = ?', email.toLowerCase());
  }
  async findUserBySipUsername(username: string): Promise<UserRecord | undefined> {
    return this.#provisioned('SELECT body FROM users WHERE sip_username = ?', username);
  }
  async findUserByExtension(accountId: string, extension: string): Promise<UserRecord | undefined> {
    return this.#provisioned('SELECT body FROM users WHERE account_id = ? AND extension = ?', accountId, extension);
  }
  async findUserByPin(accountId: string, pin: string): Promise<UserRecord | undefined> {
    return this.#provisioned('SELECT body FROM users WHERE account_id = ? AND pin = ?', accountId, pin);
  }
  async verifyUserPassword(user: UserRecord, password: string): Promise<boolean> {
    return verifyPassword(password, user.passwordHash);
  }
  async findNumber(e164: string): Promise<NumberRecord | undefined> {
    return this.#provisioned('SELECT body FROM numbers WHERE number = ?', e164);
  }
  async listNumbers(accountId: string): Promise<NumberRecord[]> {
    return this.#provisionedAll('SELECT body FROM numbers WHERE account_id = ? ORDER BY number', accountId);
  }
  async getLine(accountId: string, lineId: string): Promise<LineRecord | undefined> {
    return this.#provisioned('SELECT body FROM lines WHERE account_id = ? AND id = ?', accountId, lineId);
  }
  async listLines(accountId: string): Promise<LineRecord[]> {
    return this.#provisionedAll('SELECT body FROM lines WHERE account_id = ? ORDER BY id', accountId);
  }
  async findRingGroupByNumber(accountId: string, number: string): Promise<RingGroupRecord | undefined> {
    return this.#provisioned('SELECT body FROM ring_groups WHERE account_id = ? AND number = ?', accountId, number);
  }
  async listRingGroups(accountId: string): Promise<RingGroupRecord[]> {
    return this.#provisionedAll('SELECT body FROM ring_groups WHERE account_id = ? ORDER BY id', accountId);
  }
  async getFlow(accountId: string, flowId: string): Promise<FlowRecord | undefined> {
    return this.#provisioned('SELECT body FROM flows WHERE account_id = ? AND id = ?', accountId, flowId);
  }
  async listFlows(accountId: string): Promise<FlowRecord[]> {
    return this.#provisionedAll('SELECT body FROM flows WHERE account_id = ? ORDER BY id', accountId);
  }
  async listTrunks(): Promise<TrunkRecord[]> {
    return this.#provisionedAll('SELECT body FROM trunks ORDER BY name');
  }
  async getTrunk(name: string): Promise<TrunkRecord | undefined> {
    return this.#provisioned('SELECT body FROM trunks WHERE name = ?', name);
  }
  async getApplication(accountId: string, applicationId: string): Promise<ApplicationRecord | undefined> {
    return this.#provisioned('SELECT body FROM applications WHERE account_id = ? AND id = ?', accountId, applicationId);
  }
  async listApplications(accountId: string): Promise<ApplicationRecord[]> {
    return this.#provisionedAll('SELECT body FROM applications WHERE account_id = ? ORDER BY id', accountId);
  }
  async putApplication(app: ApplicationRecord): Promise<void> {
    const source = app.source ?? 'config';
    this.#stmt('INSERT INTO applications (account_id, id, source, body) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, id) DO UPDATE SET source = excluded.source, body = excluded.body')
      .run(app.accountId, app.id, source, JSON.stringify({ ...app, source }));
    this.#cache.clear();
    await this.#synced();
  }
  async deleteApplication(accountId: string, applicationId: string): Promise<boolean> {
    const db = this.#db;
    const changed = db.transaction(() => {
      const gone = this.#stmt('DELETE FROM applications WHERE account_id = ? AND id = ?').run(accountId, applicationId).changes === 1;
      if (gone) for (const n of this.#jsonAll<NumberRecord>('SELECT body FROM numbers WHERE account_id = ?', accountId)) if (n.application === applicationId) this.#linkNumber(n, undefined);
      return gone;
    })();
    this.#cache.clear();
    await this.#synced();
    return changed;
  }
  async setNumberApplication(accountId: string, number: string, applicationId: string | undefined): Promise<boolean> {
    const n = this.#json<NumberRecord>('SELECT body FROM numbers WHERE number = ? AND account_id = ?', number, accountId);
    if (!n) return false;
    this.#db.transaction(() => this.#linkNumber(n, applicationId))();
    this.#cache.clear();
    await this.#synced();
    return true;
  }
  /** The number's body and its runtime link, in the caller's transaction. */
  #linkNumber(n: NumberRecord, applicationId: string | undefined): void {
    const { application: _old, ...rest } = n;
    const rec: NumberRecord = applicationId === undefined ? rest : { ...rest, application: applicationId };
    this.#stmt('UPDATE numbers SET body = ? WHERE number = ?').run(JSON.stringify(rec), n.number);
    this.#stmt('INSERT INTO number_apps (number, account_id, application_id) VALUES (?, ?, ?) ON CONFLICT (number) DO UPDATE SET account_id = excluded.account_id, application_id = excluded.application_id')
      .run(n.number, n.accountId, applicationId ?? null);
  }
  async findAccountByVoiceUser(userId: string): Promise<AccountRecord | undefined> {
    return (await this.listAccounts()).find((a) => a.voiceApi?.userId === userId);
  }

  async putVoiceResource(r: VoiceResource): Promise<void> {
    const created = r.kind === 'call' ? r.startTime : r.kind === 'recording' ? r.startTime : r.kind === 'member' ? r.addedTime : r.createdTime;
    const callId = r.kind === 'gather' || r.kind === 'recording' || r.kind === 'transcription' ? r.callId : null;
    const bridgeId = r.kind === 'call' ? (r.bridgeId ?? null) : null;
    const from = r.kind === 'call' || r.kind === 'message' ? r.from : null;
    const to = r.kind === 'call' || r.kind === 'message' ? r.to : null;
    this.#stmt(`INSERT INTO voice_resources (account_id, kind, id, created_at, call_id, bridge_id, from_number, to_number, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (account_id, kind, id) DO UPDATE SET call_id = excluded.call_id, bridge_id = excluded.bridge_id, body = excluded.body`)
      .run(r.accountId, r.kind, r.id, created, callId, bridgeId, from, to, JSON.stringify(r));
    await this.#synced();
  }
  async getVoiceResource<K extends VoiceResourceKind>(accountId: string, kind: K, id: string): Promise<VoiceResourceOf<K> | undefined> {
    return this.#json('SELECT body FROM voice_resources WHERE account_id = ? AND kind = ? AND id = ?', accountId, kind, id);
  }
  async listVoiceResources<K extends VoiceResourceKind>(accountId: string, kind: K, q: VoiceListQuery): Promise<VoiceResourceOf<K>[]> {
    const where = ['account_id = ?', 'kind = ?'];
    const args: (string | number)[] = [accountId, kind];
    const add = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      args.push(value);
    };
    add('call_id', q.callId);
    add('bridge_id', q.bridgeId);
    add('from_number', q.from);
    add('to_number', q.to);
    add("json_extract(body, '$.conferenceId')", q.conferenceId);
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    args.push(q.size, q.page * q.size);
    return this.#jsonAll(`SELECT body FROM voice_resources WHERE ${where.join(' AND ')} ORDER BY created_at ${order}, id ${order} LIMIT ? OFFSET ?`, ...args);
  }

  async listUnfinishedVoiceResources(): Promise<VoiceResource[]> {
    return this.#jsonAll(`SELECT body FROM voice_resources WHERE
      (kind = 'call' AND json_extract(body, '$.state') IN ('started', 'active', 'transferring')) OR
      (kind = 'gather' AND json_extract(body, '$.state') = 'started') OR
      (kind = 'recording' AND json_extract(body, '$.state') IN ('recording', 'saving')) OR
      (kind = 'bridge' AND json_extract(body, '$.state') <> 'completed') OR
      (kind = 'transcription' AND json_extract(body, '$.state') = 'transcribing') OR
      (kind IN ('conference', 'member') AND json_extract(body, '$.state') <> 'completed')
      ORDER BY created_at`);
  }

  async listWebhooks(accountId: string): Promise<WebhookRecord[]> {
    return this.#jsonAll('SELECT body FROM webhooks WHERE account_id = ? ORDER BY id', accountId);
  }
  async findApiCredential(token: string): Promise<ApiCredentialRecord | undefined> {
    return this.#provisioned('SELECT body FROM api_credentials WHERE token = ?', token);
  }
  async listApiCredentials(accountId: string): Promise<ApiCredentialRecord[]> {
    return this.#provisionedAll('SELECT body FROM api_credentials WHERE account_id = ? ORDER BY token', accountId);
  }
  async verifyApiSecret(credential: ApiCredentialRecord, secret: string): Promise<boolean> {
    return verifyPassword(secret, credential.secretHash);
  }

  async putWebhook(w: WebhookRecord): Promise<void> {
    this.#stmt('INSERT INTO webhooks (account_id, id, source, body) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, id) DO UPDATE SET source = excluded.source, body = excluded.body')
      .run(w.accountId, w.id, w.source, JSON.stringify(w));
    await this.#synced();
  }

  async deleteWebhook(accountId: string, webhookId: string): Promise<boolean> {
    const changed = this.#stmt('DELETE FROM webhooks WHERE account_id = ? AND id = ?').run(accountId, webhookId).changes === 1;
    await this.#synced();
    return changed;
  }

  async createAuthSession(userId: number, accountId: string, tokenLifetime: number, refreshLifetime: number): Promise<IssuedTokens> {
    const now = Date.now();
    // Expired sessions are dropped as new ones are made, so the table stays small without a sweeper.
    this.#stmt('DELETE FROM auth_sessions WHERE refresh_expires_at < ?').run(now);
    const issued = newTokens(randomUUID(), userId, accountId, now, tokenLifetime, refreshLifetime);
    this.#stmt('INSERT INTO auth_sessions (guid, user_id, account_id, token_hash, token_expires_at, refresh_hash, refresh_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(issued.session.guid, userId, accountId, sha256(issued.token), issued.session.tokenExpiresAt, sha256(issued.refreshToken), issued.session.refreshExpiresAt);
    await this.#synced();
    return issued;
  }

  async findAuthSession(token: string): Promise<AuthSession | undefined> {
    const row = this.#stmt('SELECT * FROM auth_sessions WHERE token_hash = ?').get(sha256(token)) as SessionRow | undefined;
    return row && row.token_expires_at > Date.now() ? toSession(row) : undefined;
  }

  async refreshAuthSession(refreshToken: string, tokenLifetime: number, refreshLifetime: number): Promise<IssuedTokens | undefined> {
    const now = Date.now();
    const row = this.#stmt('SELECT * FROM auth_sessions WHERE refresh_hash = ?').get(sha256(refreshToken)) as SessionRow | undefined;
    if (!row || row.refresh_expires_at <= now) return undefined;
    const issued = newTokens(row.guid, row.user_id, row.account_id, now, tokenLifetime, refreshLifetime);
    // Matching on the old hash makes a concurrent second refresh with the same token fail (spec realtime §5.2).
    const r = this.#stmt('UPDATE auth_sessions SET token_hash = ?, token_expires_at = ?, refresh_hash = ?, refresh_expires_at = ? WHERE guid = ? AND refresh_hash = ?')
      .run(sha256(issued.token), issued.session.tokenExpiresAt, sha256(issued.refreshToken), issued.session.refreshExpiresAt, row.guid, row.refresh_hash);
    await this.#synced();
    return r.changes === 1 ? issued : undefined;
  }

  async loadSipBindings(userId: string): Promise<SipBindingRecord[]> {
    return this.#cache.get(bindingsKey(userId), () => this.#jsonAll<SipBindingRecord>('SELECT body FROM sip_bindings WHERE user_id = ? ORDER BY contact', userId)) ?? [];
  }

  async saveSipBinding(b: SipBindingRecord): Promise<void> {
    this.#stmt('INSERT INTO sip_bindings (user_id, contact, expires_at, body) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, contact) DO UPDATE SET expires_at = excluded.expires_at, body = excluded.body')
      .run(b.userId, b.contact, b.expiresAt, JSON.stringify(b));
    this.#cache.delete(bindingsKey(b.userId));
    await this.#synced();
  }

  async removeSipBinding(userId: string, contact: string): Promise<void> {
    this.#stmt('DELETE FROM sip_bindings WHERE user_id = ? AND contact = ?').run(userId, contact);
    this.#cache.delete(bindingsKey(userId));
    await this.#synced();
  }

  async putMessage(m: MessageRecord): Promise<void> {
    const lineNumber = m.direction === 'incoming' ? m.to : m.from;
    const remote = m.direction === 'incoming' ? m.from : m.to;
    const entry: ReportEntry = { kind: 'message', message: m };
    this.#stmt(`INSERT INTO report_entries (id, account_id, kind, created_at, line_number, remote, direction, user_id, body) VALUES (?, ?, 'message', ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET body = excluded.body, user_id = excluded.user_id`)
      .run(m.id, m.accountId, m.createdAt, lineNumber, remote, m.direction, m.userId ?? null, JSON.stringify(entry));
    await this.#synced();
  }

  /**
   * Every call writes its entry as it ends: the entries of one event-loop turn share one transaction
   * (#writeCalls), which costs a busy switch a fraction of an autocommit each. Resolves on disk, as before.
   */
  async putCall(c: CallRecord): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      if (this.#pendingCalls.length === 0) setImmediate(() => this.#writeCalls());
      this.#pendingCalls.push({ record: c, resolve, reject });
    });
    await this.#synced();
  }

  #writeCalls(): void {
    const batch = this.#pendingCalls;
    if (batch.length === 0) return;
    this.#pendingCalls = [];
    try {
      this.#db.transaction(() => {
        for (const { record } of batch) this.#insertCall(record);
      })();
    } catch {
      // As when each call wrote alone: a failing entry fails only its own write.
      for (const w of batch) {
        try {
          this.#insertCall(w.record);
        } catch (err) {
          w.reject(err);
          continue;
        }
        w.resolve();
      }
      return;
    }
    for (const w of batch) w.resolve();
  }

  #insertCall(c: CallRecord): void {
    // line_number/remote are the texts' conversation index: a call fills them too, for the same lookups.
    const inbound = c.direction === 'incoming';
    const entry: ReportEntry = { kind: 'call', call: c };
    this.#stmt(`INSERT INTO report_entries (id, account_id, kind, created_at, line_number, remote, direction, user_id, body) VALUES (?, ?, 'call', ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET body = excluded.body, user_id = excluded.user_id`)
      .run(c.id, c.accountId, c.startedAt, c.lineNumber ?? (inbound ? c.to : c.from), inbound ? c.from : c.to, c.direction, c.userId ?? null, JSON.stringify(entry));
  }

  async getReportEntry(accountId: string, id: string): Promise<ReportEntry | undefined> {
    return this.#json('SELECT body FROM report_entries WHERE account_id = ? AND id = ?', accountId, id);
  }

  async listReportEntries(accountId: string, fromMs: number, toMs: number, limit: number): Promise<ReportEntry[]> {
    return this.#jsonAll('SELECT body FROM report_entries WHERE account_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id LIMIT ?', accountId, fromMs, toMs, limit);
  }

  async lastTextUser(accountId: string, lineNumber: string, remote: string): Promise<number | undefined> {
    const row = this.#stmt(`SELECT user_id FROM report_entries WHERE account_id = ? AND line_number = ? AND remote = ? AND kind = 'message'
                AND direction = 'outgoing' AND user_id IS NOT NULL ORDER BY created_at DESC LIMIT 1`)
      .get(accountId, lineNumber, remote) as { user_id: number } | undefined;
    return row?.user_id;
  }

  async getOptOut(accountId: string, number: string): Promise<OptOutRecord | undefined> {
    return this.#json('SELECT body FROM opt_outs WHERE account_id = ? AND number = ?', accountId, number);
  }

  async addOptOut(r: OptOutRecord): Promise<boolean> {
    const changed = this.#stmt('INSERT OR IGNORE INTO opt_outs (account_id, number, body) VALUES (?, ?, ?)').run(r.accountId, r.number, JSON.stringify(r)).changes === 1;
    await this.#synced();
    return changed;
  }

  async removeOptOut(accountId: string, number: string): Promise<boolean> {
    const changed = this.#stmt('DELETE FROM opt_outs WHERE account_id = ? AND number = ?').run(accountId, number).changes === 1;
    await this.#synced();
    return changed;
  }

  async listOptOuts(accountId: string): Promise<OptOutRecord[]> {
    return this.#jsonAll('SELECT body FROM opt_outs WHERE account_id = ? ORDER BY number', accountId);
  }

  async setAgentPresence(r: AgentPresenceRecord): Promise<void> {
    this.#stmt('INSERT INTO agent_presence (user_id, account_id, body) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET account_id = excluded.account_id, body = excluded.body')
      .run(r.userId, r.accountId, JSON.stringify(r));
    this.#cache.delete(presenceKey(r.accountId));
    await this.#synced();
  }

  async getAgentPresence(userId: number): Promise<AgentPresenceRecord | undefined> {
    if (!Number.isSafeInteger(userId)) return undefined;
    return this.#json('SELECT body FROM agent_presence WHERE user_id = ?', userId);
  }

  async listAgentPresence(accountId: string): Promise<AgentPresenceRecord[]> {
    // Every inbound call to a line reads it (who may ring): kept parsed, like the provisioning.
    return this.#cache.get(presenceKey(accountId), () => this.#jsonAll<AgentPresenceRecord>('SELECT body FROM agent_presence WHERE account_id = ? ORDER BY user_id', accountId)) ?? [];
  }

  async allocateDialerIds(kind: 'campaign' | 'contact', count: number): Promise<number> {
    const row = this.#stmt('UPDATE dialer_ids SET next = next + ? WHERE kind = ? RETURNING next - ? AS first').get(count, kind, count) as { first: number };
    await this.#synced();
    return row.first;
  }

  async putCampaign(c: Campaign): Promise<void> {
    this.#stmt('INSERT INTO campaigns (account_id, id, body) VALUES (?, ?, ?) ON CONFLICT (account_id, id) DO UPDATE SET body = excluded.body')
      .run(c.accountId, c.id, JSON.stringify(c));
    await this.#synced();
  }

  async getCampaign(accountId: string, campaignId: string): Promise<Campaign | undefined> {
    return this.#json('SELECT body FROM campaigns WHERE account_id = ? AND id = ?', accountId, campaignId);
  }

  async listCampaigns(accountId: string): Promise<Campaign[]> {
    return this.#jsonAll('SELECT body FROM campaigns WHERE account_id = ? ORDER BY length(id), id', accountId);
  }

  async deleteCampaign(accountId: string, campaignId: string): Promise<boolean> {
    const gone = this.#db.transaction(() => {
      this.#stmt('DELETE FROM contacts WHERE account_id = ? AND campaign_id = ?').run(accountId, campaignId);
      return this.#stmt('DELETE FROM campaigns WHERE account_id = ? AND id = ?').run(accountId, campaignId).changes === 1;
    })();
    await this.#synced();
    return gone;
  }

  async addContacts(contacts: Contact[]): Promise<void> {
    const insert = this.#stmt('INSERT INTO contacts (account_id, campaign_id, id, phone_number, state, body) VALUES (?, ?, ?, ?, ?, ?)');
    this.#db.transaction(() => {
      for (const c of contacts) insert.run(c.accountId, c.campaignId, c.id, c.phoneNumber, c.state, JSON.stringify(c));
    })();
    await this.#synced();
  }

  async updateContact(c: Contact): Promise<boolean> {
    const changed = this.#stmt('UPDATE contacts SET phone_number = ?, state = ?, body = ? WHERE account_id = ? AND campaign_id = ? AND id = ?')
      .run(c.phoneNumber, c.state, JSON.stringify(c), c.accountId, c.campaignId, c.id).changes === 1;
    await this.#synced();
    return changed;
  }

  async getContact(accountId: string, campaignId: string, contactId: string): Promise<Contact | undefined> {
    return this.#json('SELECT body FROM contacts WHERE account_id = ? AND campaign_id = ? AND id = ?', accountId, campaignId, contactId);
  }

  async listContacts(accountId: string, campaignId: string, q: ContactQuery): Promise<ContactPage> {
    const where = `account_id = ? AND campaign_id = ?${q.state === undefined ? '' : ' AND state = ?'}`;
    const args = q.state === undefined ? [accountId, campaignId] : [accountId, campaignId, q.state];
    const total = (this.#stmt(`SELECT count(*) AS n FROM contacts WHERE ${where}`).get(...args) as { n: number }).n;
    const contacts = this.#jsonAll<Contact>(`SELECT body FROM contacts WHERE ${where} ORDER BY seq LIMIT ? OFFSET ?`, ...args, q.limit, q.offset);
    return { contacts, total };
  }

  async listContactNumbers(accountId: string, campaignId: string): Promise<string[]> {
    return (this.#stmt('SELECT phone_number FROM contacts WHERE account_id = ? AND campaign_id = ? ORDER BY seq').all(accountId, campaignId) as { phone_number: string }[]).map((r) => r.phone_number);
  }

  async deleteContact(accountId: string, campaignId: string, contactId: string): Promise<boolean> {
    const gone = this.#stmt('DELETE FROM contacts WHERE account_id = ? AND campaign_id = ? AND id = ?').run(accountId, campaignId, contactId).changes === 1;
    await this.#synced();
    return gone;
  }

  async countSipBindings(now: number): Promise<number> {
    return (this.#stmt('SELECT count(*) AS n FROM sip_bindings WHERE expires_at > ?').get(now) as { n: number }).n;
  }

  async close(): Promise<void> {
    this.#writeCalls();
    await this.#fsync.close();
    if (this.#db.open) this.#db.close();
  }

  #stmt(sql: string): Database.Statement {
    return this.#statements.get(sql);
  }

  /** Resolves once what this connection committed so far is on disk. */
  #synced(): Promise<void> {
    return this.#fsync.sync();
  }

  #json<T>(sql: string, ...args: unknown[]): T | undefined {
    const row = this.#stmt(sql).get(...args) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as T) : undefined;
  }
  #jsonAll<T>(sql: string, ...args: unknown[]): T[] {
    return (this.#stmt(sql).all(...args) as { body: string }[]).map((r) => JSON.parse(r.body) as T);
  }
  /** A provisioning row, from the cache (frozen: shared by every caller). */
  #provisioned<T>(sql: string, ...args: (string | number)[]): T | undefined {
    return this.#cache.get(cacheKey(sql, args), () => this.#json<T>(sql, ...args));
  }
  #provisionedAll<T>(sql: string, ...args: (string | number)[]): T[] {
    return this.#cache.get(cacheKey(sql, args), () => this.#jsonAll<T>(sql, ...args)) ?? [];
  }
}

const cacheKey = (sql: string, args: (string | number)[]): string => `${sql}\u0000${args.join('\u0000')}`;
const bindingsKey = (userId: string): string => `sip_bindings\u0000${userId}`;
const presenceKey = (accountId: string): string => `agent_presence\u0000${accountId}`;

type SessionRow = { guid: string; user_id: number; account_id: string; token_expires_at: number; refresh_expires_at: number; refresh_hash: string };

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function toSession(r: SessionRow): AuthSession {
  return { guid: r.guid, userId: r.user_id, accountId: r.account_id, tokenExpiresAt: r.token_expires_at, refreshExpiresAt: r.refresh_expires_at };
}

function newTokens(guid: string, userId: number, accountId: string, now: number, tokenLifetime: number, refreshLifetime: number): IssuedTokens {
  return {
    session: { guid, userId, accountId, tokenExpiresAt: now + tokenLifetime * 1000, refreshExpiresAt: now + refreshLifetime * 1000 },
    token: randomUUID(),
    refreshToken: randomUUID(),
  };
}

/** Applies pending migrations in order, tracked by SQLite's user_version. */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
