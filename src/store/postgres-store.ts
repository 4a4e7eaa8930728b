/**
 * The scale-out store (docs/scale-out.md): the Store interface on PostgreSQL, shared by every Ringside node
 * of a cluster. It behaves as sqlite-store.ts does, method for method; the contract suite
 * (store-contract.ts) runs the same tests on both.
 *
 * What several nodes write is never cached: SIP bindings, sessions, reports, voice resources, webhooks are
 * read from the database each time, so a phone registered through node A is found by node B at once.
 * Provisioning (what the switch looks up on every call) is cached per node and dropped on every node when
 * any node changes it (pg-provisioning-cache.ts: LISTEN/NOTIFY); `{ cache: false }` turns that off.
 */
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ProvisioningConfig, ServerConfig } from '../config/config-types.js';
import { PgDatabase } from './pg-database.js';
import { verifyPassword } from './password-hash.js';
import { STORE_MIGRATIONS } from './postgres-store-migrations.js';
import { changePgProvisioning, lockProvisioning, replacePgProvisioning } from './postgres-provisioning.js';
import { PgProvisioningCache } from './pg-provisioning-cache.js';
import type {
  AccountRecord,
  Campaign,
  Contact,
  ContactPage,
  ContactQuery,
  AgentPresenceRecord,
  ApiCredentialRecord,
  ApplicationRecord,
  AuthSession,
  FlowRecord,
  CallRecord,
  IssuedTokens,
  LineRecord,
  MessageRecord,
  NumberRecord,
  OptOutRecord,
  ProvisioningChange,
  ProvisioningCounts,
  ProvisioningResource,
  RecordOf,
  ReportEntry,
  RingGroupRecord,
  SipBindingRecord,
  Store,
  TrunkRecord,
  UserRecord,
  WebhookRecord,
} from './store.js';
import type { VoiceListQuery, VoiceResource, VoiceResourceKind, VoiceResourceOf } from './voice-records.js';

type Arg = string | number | null;

export class PostgresStore implements Store {
  readonly #db: PgDatabase;
  readonly #ownsDb: boolean;
  /** Statement names by SQL text: pg prepares a named statement once per connection and reuses it. */
  readonly #names = new Map<string, string>();
  readonly #cache: PgProvisioningCache;
  #closed = false;

  /** Use `open`: the schema must be migrated first. */
  private constructor(db: PgDatabase, ownsDb: boolean) {
    this.#db = db;
    this.#ownsDb = ownsDb;
    this.#cache = new PgProvisioningCache(db);
  }

  /** Connects to `postgres://…[?schema=name]` (or uses `db`, which the caller then closes) and applies
   *  the store's pending migrations (idempotent, safe with several nodes starting together). */
  static async open(target: string | PgDatabase, options: { poolSize?: number; cache?: boolean } = {}): Promise<PostgresStore> {
    const owns = typeof target === 'string';
    const db = typeof target === 'string' ? new PgDatabase(target, { max: options.poolSize }) : target;
    const store = new PostgresStore(db, owns);
    try {
      await db.migrate('store', STORE_MIGRATIONS);
      if (options.cache ?? true) await store.#cache.start();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  /** Whether provisioning lookups are being served from memory (the listener is connected). */
  get cacheLive(): boolean {
    return this.#cache.live;
  }

  async replaceProvisioning(config: ProvisioningConfig, seed?: string): Promise<ProvisioningCounts> {
    await replacePgProvisioning(this.#db, config, seed, (client) => this.#cache.notify(client));
    this.#cache.invalidate();
    return this.counts();
  }

  async provisioningSeed(): Promise<string | undefined> {
    return this.#body<string>(`SELECT body FROM meta WHERE key = 'seed'`);
  }

  async changeProvisioning<R extends ProvisioningResource>(change: ProvisioningChange<R>): Promise<RecordOf<R>> {
    try {
      return await changePgProvisioning(this.#db, change, (client) => this.#cache.notify(client));
    } finally {
      // A refused write changed nothing; invalidating anyway is harmless and keeps this simple.
      this.#cache.invalidate();
    }
  }

  async counts(): Promise<ProvisioningCounts> {
    const tables = { accounts: 'accounts', users: 'users', numbers: 'numbers', lines: 'lines', ringGroups: 'ring_groups', trunks: 'trunks', applications: 'applications', webhooks: 'webhooks', apiCredentials: 'api_credentials', flows: 'flows' };
    const sql = `SELECT ${Object.entries(tables).map(([k, t]) => `(SELECT count(*) FROM ${t}) AS "${k}"`).join(', ')}`;
    const row = (await this.#rows<Record<string, string>>(sql, []))[0]!;
    return Object.fromEntries(Object.keys(tables).map((k) => [k, Number(row[k])])) as unknown as ProvisioningCounts;
  }

  async serverConfig(): Promise<ServerConfig> {
    return (await this.#provisioned<ServerConfig>(`SELECT body FROM meta WHERE key = 'server'`)) ?? { sipRealm: 'ringside', sipDigestAlgorithms: ['MD5'] };
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return this.#provisionedAll('SELECT body FROM accounts ORDER BY id');
  }
  async getAccount(accountId: string): Promise<AccountRecord | undefined> {
    return this.#provisioned('SELECT body FROM accounts WHERE id = $1', accountId);
  }
  async getUser(userId: number): Promise<UserRecord | undefined> {
    if (!Number.isSafeInteger(userId)) return undefined;
    return this.#provisioned('SELECT body FROM users WHERE id = $1', userId);
  }
  async listUsers(accountId: string): Promise<UserRecord[]> {
    return this.#provisionedAll('SELECT body FROM users WHERE account_id = $1 ORDER BY id', accountId);
  }
  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    return this.#provisioned('SELECT body FROM users WHERE email = $1', email.toLowerCase());
  }
  async findUserBySipUsername(username: string): Promise<UserRecord | undefined> {
    return this.#provisioned('SELECT body FROM users WHERE sip_username = $1', username);
  }
  async findUserByExtension(accountId: string, extension: string): Promise<UserRecord | undefined> {
    return this.#provisioned('SELECT body FROM users WHERE account_id = $1 AND extension = $2 ORDER BY id LIMIT 1', accountId, extension);
  }
  async findUserByPin(accountId: string, pin: string): Promise<UserRecord | undefined> {
    return this.#provisioned('SELECT body FROM users WHERE account_id = $1 AND pin = $2 ORDER BY id LIMIT 1', accountId, pin);
  }
  async verifyUserPassword(user: UserRecord, password: string): Promise<boolean> {
    return verifyPassword(password, user.passwordHash);
  }
  async findNumber(e164: string): Promise<NumberRecord | undefined> {
    return this.#provisioned('SELECT body FROM numbers WHERE number = $1', e164);
  }
  async listNumbers(accountId: string): Promise<NumberRecord[]> {
    return this.#provisionedAll('SELECT body FROM numbers WHERE account_id = $1 ORDER BY number', accountId);
  }
  async getLine(accountId: string, lineId: string): Promise<LineRecord | undefined> {
    return this.#provisioned('SELECT body FROM lines WHERE account_id = $1 AND id = $2', accountId, lineId);
  }
  async listLines(accountId: string): Promise<LineRecord[]> {
    return this.#provisionedAll('SELECT body FROM lines WHERE account_id = $1 ORDER BY id', accountId);
  }
  async findRingGroupByNumber(accountId: string, number: string): Promise<RingGroupRecord | undefined> {
    return this.#provisioned('SELECT body FROM ring_groups WHERE account_id = $1 AND number = $2 ORDER BY id LIMIT 1', accountId, number);
  }
  async listRingGroups(accountId: string): Promise<RingGroupRecord[]> {
    return this.#provisionedAll('SELECT body FROM ring_groups WHERE account_id = $1 ORDER BY id', accountId);
  }
  async getFlow(accountId: string, flowId: string): Promise<FlowRecord | undefined> {
    return this.#provisioned('SELECT body FROM flows WHERE account_id = $1 AND id = $2', accountId, flowId);
  }
  async listFlows(accountId: string): Promise<FlowRecord[]> {
    return this.#provisionedAll('SELECT body FROM flows WHERE account_id = $1 ORDER BY id', accountId);
  }
  async listTrunks(): Promise<TrunkRecord[]> {
    return this.#provisionedAll('SELECT body FROM trunks ORDER BY name');
  }
  async getTrunk(name: string): Promise<TrunkRecord | undefined> {
    return this.#provisioned('SELECT body FROM trunks WHERE name = $1', name);
  }

  async getApplication(accountId: string, applicationId: string): Promise<ApplicationRecord | undefined> {
    return this.#provisioned('SELECT body FROM applications WHERE account_id = $1 AND id = $2', accountId, applicationId);
  }
  async listApplications(accountId: string): Promise<ApplicationRecord[]> {
    return this.#provisionedAll('SELECT body FROM applications WHERE account_id = $1 ORDER BY id', accountId);
  }
  async putApplication(app: ApplicationRecord): Promise<void> {
    const source = app.source ?? 'config';
    await this.#db.transaction(async (client) => {
      await lockProvisioning(client, this.#db.schema);
      await client.query(
        'INSERT INTO applications (account_id, id, source, body) VALUES ($1, $2, $3, $4::json) ON CONFLICT (account_id, id) DO UPDATE SET source = excluded.source, body = excluded.body',
        [app.accountId, app.id, source, JSON.stringify({ ...app, source })],
      );
      await this.#cache.notify(client);
    });
    this.#cache.invalidate();
  }
  async deleteApplication(accountId: string, applicationId: string): Promise<boolean> {
    const gone = await this.#db.transaction(async (client) => {
      await lockProvisioning(client, this.#db.schema);
      const gone = (await client.query('DELETE FROM applications WHERE account_id = $1 AND id = $2', [accountId, applicationId])).rowCount === 1;
      if (gone) {
        const linked = await client.query<{ body: NumberRecord }>(`SELECT body FROM numbers WHERE account_id = $1 AND body->>'application' = $2`, [accountId, applicationId]);
        for (const { body } of linked.rows) await linkNumber(client, body, undefined);
        await this.#cache.notify(client);
      }
      return gone;
    });
    this.#cache.invalidate();
    return gone;
  }
  async setNumberApplication(accountId: string, number: string, applicationId: string | undefined): Promise<boolean> {
    if (hasNul(number) || hasNul(accountId)) return false;
    const linked = await this.#db.transaction(async (client) => {
      await lockProvisioning(client, this.#db.schema);
      const n = (await client.query<{ body: NumberRecord }>('SELECT body FROM numbers WHERE number = $1 AND account_id = $2', [number, accountId])).rows[0]?.body;
      if (!n) return false;
      await linkNumber(client, n, applicationId);
      await this.#cache.notify(client);
      return true;
    });
    this.#cache.invalidate();
    return linked;
  }
  async findAccountByVoiceUser(userId: string): Promise<AccountRecord | undefined> {
    return this.#provisioned('SELECT body FROM accounts WHERE voice_user_id = $1 ORDER BY id LIMIT 1', userId);
  }

  async putVoiceResource(r: VoiceResource): Promise<void> {
    const created = r.kind === 'call' ? r.startTime : r.kind === 'recording' ? r.startTime : r.kind === 'member' ? r.addedTime : r.createdTime;
    const callId = r.kind === 'gather' || r.kind === 'recording' || r.kind === 'transcription' ? r.callId : null;
    const bridgeId = r.kind === 'call' ? (r.bridgeId ?? null) : null;
    const conferenceId = r.kind === 'member' ? r.conferenceId : null;
    const from = r.kind === 'call' || r.kind === 'message' ? r.from : null;
    const to = r.kind === 'call' || r.kind === 'message' ? r.to : null;
    // As SQLite: created_at, from and to are the first write's; the rest follows the record.
    await this.#exec(
      `INSERT INTO voice_resources (account_id, kind, id, created_at, call_id, bridge_id, conference_id, from_number, to_number, state, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::json)
       ON CONFLICT (account_id, kind, id) DO UPDATE SET call_id = excluded.call_id, bridge_id = excluded.bridge_id,
         conference_id = excluded.conference_id, state = excluded.state, body = excluded.body`,
      r.accountId, r.kind, r.id, created, callId, bridgeId, conferenceId, from, to, r.state, JSON.stringify(r),
    );
  }
  async getVoiceResource<K extends VoiceResourceKind>(accountId: string, kind: K, id: string): Promise<VoiceResourceOf<K> | undefined> {
    return this.#body('SELECT body FROM voice_resources WHERE account_id = $1 AND kind = $2 AND id = $3', accountId, kind, id);
  }
  async listVoiceResources<K extends VoiceResourceKind>(accountId: string, kind: K, q: VoiceListQuery): Promise<VoiceResourceOf<K>[]> {
    const where = ['account_id = $1', 'kind = $2'];
    const args: Arg[] = [accountId, kind];
    const add = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      args.push(value);
      where.push(`${column} = $${args.length}`);
    };
    add('call_id', q.callId);
    add('bridge_id', q.bridgeId);
    add('from_number', q.from);
    add('to_number', q.to);
    add('conference_id', q.conferenceId);
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    args.push(q.size, q.page * q.size);
    return this.#bodies(`SELECT body FROM voice_resources WHERE ${where.join(' AND ')} ORDER BY created_at ${order}, id ${order} LIMIT $${args.length - 1} OFFSET $${args.length}`, ...args);
  }
  async listUnfinishedVoiceResources(): Promise<VoiceResource[]> {
    return this.#bodies(`SELECT body FROM voice_resources WHERE
      (kind = 'call' AND state IN ('started', 'active', 'transferring')) OR
      (kind = 'gather' AND state = 'started') OR
      (kind = 'recording' AND state IN ('recording', 'saving')) OR
      (kind = 'bridge' AND state <> 'completed') OR
      (kind = 'transcription' AND state = 'transcribing') OR
      (kind IN ('conference', 'member') AND state <> 'completed')
      ORDER BY created_at, account_id, kind, id`);
  }

  async listWebhooks(accountId: string): Promise<WebhookRecord[]> {
    return this.#bodies('SELECT body FROM webhooks WHERE account_id = $1 ORDER BY id', accountId);
  }
  async findApiCredential(token: string): Promise<ApiCredentialRecord | undefined> {
    return this.#provisioned('SELECT body FROM api_credentials WHERE token = $1', token);
  }
  async listApiCredentials(accountId: string): Promise<ApiCredentialRecord[]> {
    return this.#provisionedAll('SELECT body FROM api_credentials WHERE account_id = $1 ORDER BY token', accountId);
  }
  async verifyApiSecret(credential: ApiCredentialRecord, secret: string): Promise<boolean> {
    return verifyPassword(secret, credential.secretHash);
  }
  async putWebhook(w: WebhookRecord): Promise<void> {
    await this.#exec(
      'INSERT INTO webhooks (account_id, id, source, body) VALUES ($1, $2, $3, $4::json) ON CONFLICT (account_id, id) DO UPDATE SET source = excluded.source, body = excluded.body',
      w.accountId, w.id, w.source, JSON.stringify(w),
    );
  }
  async deleteWebhook(accountId: string, webhookId: string): Promise<boolean> {
    if (hasNul(accountId) || hasNul(webhookId)) return false;
    return (await this.#exec('DELETE FROM webhooks WHERE account_id = $1 AND id = $2', accountId, webhookId)) === 1;
  }

  async createAuthSession(userId: number, accountId: string, tokenLifetime: number, refreshLifetime: number): Promise<IssuedTokens> {
    const now = Date.now();
    // Expired sessions are dropped as new ones are made, so the table stays small without a sweeper.
    await this.#exec('DELETE FROM auth_sessions WHERE refresh_expires_at < $1', now);
    const issued = newTokens(randomUUID(), userId, accountId, now, tokenLifetime, refreshLifetime);
    await this.#exec(
      'INSERT INTO auth_sessions (guid, user_id, account_id, token_hash, token_expires_at, refresh_hash, refresh_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      issued.session.guid, userId, accountId, sha256(issued.token), issued.session.tokenExpiresAt, sha256(issued.refreshToken), issued.session.refreshExpiresAt,
    );
    return issued;
  }
  async findAuthSession(token: string): Promise<AuthSession | undefined> {
    const row = (await this.#rows<SessionRow>('SELECT * FROM auth_sessions WHERE token_hash = $1', [sha256(token)]))[0];
    return row && Number(row.token_expires_at) > Date.now() ? toSession(row) : undefined;
  }
  async refreshAuthSession(refreshToken: string, tokenLifetime: number, refreshLifetime: number): Promise<IssuedTokens | undefined> {
    const now = Date.now();
    const row = (await this.#rows<SessionRow>('SELECT * FROM auth_sessions WHERE refresh_hash = $1', [sha256(refreshToken)]))[0];
    if (!row || Number(row.refresh_expires_at) <= now) return undefined;
    const issued = newTokens(row.guid, Number(row.user_id), row.account_id, now, tokenLifetime, refreshLifetime);
    // Matching on the old hash makes a concurrent second refresh with the same token fail (spec realtime §5.2),
    // on another node too: the second UPDATE waits for the first's row lock, then matches nothing.
    const changed = await this.#exec(
      'UPDATE auth_sessions SET token_hash = $1, token_expires_at = $2, refresh_hash = $3, refresh_expires_at = $4 WHERE guid = $5 AND refresh_hash = $6',
      sha256(issued.token), issued.session.tokenExpiresAt, sha256(issued.refreshToken), issued.session.refreshExpiresAt, row.guid, row.refresh_hash,
    );
    return changed === 1 ? issued : undefined;
  }

  async loadSipBindings(userId: string): Promise<SipBindingRecord[]> {
    return this.#bodies('SELECT body FROM sip_bindings WHERE user_id = $1 ORDER BY contact', userId);
  }
  async saveSipBinding(b: SipBindingRecord): Promise<void> {
    await this.#exec(
      'INSERT INTO sip_bindings (user_id, contact, expires_at, body) VALUES ($1, $2, $3, $4::json) ON CONFLICT (user_id, contact) DO UPDATE SET expires_at = excluded.expires_at, body = excluded.body',
      b.userId, b.contact, b.expiresAt, JSON.stringify(b),
    );
  }
  async removeSipBinding(userId: string, contact: string): Promise<void> {
    if (hasNul(userId) || hasNul(contact)) return;
    await this.#exec('DELETE FROM sip_bindings WHERE user_id = $1 AND contact = $2', userId, contact);
  }
  async countSipBindings(now: number): Promise<number> {
    return Number((await this.#rows<{ n: string }>('SELECT count(*) AS n FROM sip_bindings WHERE expires_at > $1', [now]))[0]!.n);
  }

  async putMessage(m: MessageRecord): Promise<void> {
    const lineNumber = m.direction === 'incoming' ? m.to : m.from;
    const remote = m.direction === 'incoming' ? m.from : m.to;
    await this.#putEntry({ kind: 'message', message: m }, m.id, m.accountId, m.createdAt, lineNumber, remote, m.direction, m.userId);
  }
  async putCall(c: CallRecord): Promise<void> {
    // line_number/remote are the texts' conversation index: a call fills them too, for the same lookups.
    const inbound = c.direction === 'incoming';
    await this.#putEntry({ kind: 'call', call: c }, c.id, c.accountId, c.startedAt, c.lineNumber ?? (inbound ? c.to : c.from), inbound ? c.from : c.to, c.direction, c.userId);
  }
  async #putEntry(entry: ReportEntry, id: string, accountId: string, createdAt: number, lineNumber: string, remote: string, direction: string, userId: number | undefined): Promise<void> {
    await this.#exec(
      `INSERT INTO report_entries (id, account_id, kind, created_at, line_number, remote, direction, user_id, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json)
       ON CONFLICT (id) DO UPDATE SET body = excluded.body, user_id = excluded.user_id`,
      id, accountId, entry.kind, createdAt, lineNumber, remote, direction, userId ?? null, JSON.stringify(entry),
    );
  }
  async getReportEntry(accountId: string, id: string): Promise<ReportEntry | undefined> {
    return this.#body('SELECT body FROM report_entries WHERE account_id = $1 AND id = $2', accountId, id);
  }
  async listReportEntries(accountId: string, fromMs: number, toMs: number, limit: number): Promise<ReportEntry[]> {
    return this.#bodies('SELECT body FROM report_entries WHERE account_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id LIMIT $4', accountId, fromMs, toMs, limit);
  }
  async lastTextUser(accountId: string, lineNumber: string, remote: string): Promise<number | undefined> {
    const rows = await this.#rows<{ user_id: string }>(
      `SELECT user_id FROM report_entries WHERE account_id = $1 AND line_number = $2 AND remote = $3 AND kind = 'message'
       AND direction = 'outgoing' AND user_id IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
      [accountId, lineNumber, remote],
    );
    return rows[0] ? Number(rows[0].user_id) : undefined;
  }

  async getOptOut(accountId: string, number: string): Promise<OptOutRecord | undefined> {
    return this.#body('SELECT body FROM opt_outs WHERE account_id = $1 AND number = $2', accountId, number);
  }
  async addOptOut(r: OptOutRecord): Promise<boolean> {
    return (await this.#exec('INSERT INTO opt_outs (account_id, number, body) VALUES ($1, $2, $3::json) ON CONFLICT DO NOTHING', r.accountId, r.number, JSON.stringify(r))) === 1;
  }
  async removeOptOut(accountId: string, number: string): Promise<boolean> {
    if (hasNul(accountId) || hasNul(number)) return false;
    return (await this.#exec('DELETE FROM opt_outs WHERE account_id = $1 AND number = $2', accountId, number)) === 1;
  }
  async listOptOuts(accountId: string): Promise<OptOutRecord[]> {
    return this.#bodies('SELECT body FROM opt_outs WHERE account_id = $1 ORDER BY number', accountId);
  }

  async setAgentPresence(r: AgentPresenceRecord): Promise<void> {
    await this.#exec(
      'INSERT INTO agent_presence (user_id, account_id, body) VALUES ($1, $2, $3::json) ON CONFLICT (user_id) DO UPDATE SET account_id = excluded.account_id, body = excluded.body',
      r.userId, r.accountId, JSON.stringify(r),
    );
  }
  async getAgentPresence(userId: number): Promise<AgentPresenceRecord | undefined> {
    if (!Number.isSafeInteger(userId)) return undefined;
    return this.#body('SELECT body FROM agent_presence WHERE user_id = $1', userId);
  }
  async listAgentPresence(accountId: string): Promise<AgentPresenceRecord[]> {
    return this.#bodies('SELECT body FROM agent_presence WHERE account_id = $1 ORDER BY user_id', accountId);
  }

  async allocateDialerIds(kind: 'campaign' | 'contact', count: number): Promise<number> {
    const rows = await this.#rows<{ first: string }>('UPDATE dialer_ids SET next = next + $1 WHERE kind = $2 RETURNING next - $1 AS first', [count, kind]);
    return Number(rows[0]!.first);
  }

  async putCampaign(c: Campaign): Promise<void> {
    await this.#exec(
      'INSERT INTO campaigns (account_id, id, body) VALUES ($1, $2, $3::json) ON CONFLICT (account_id, id) DO UPDATE SET body = excluded.body',
      c.accountId, c.id, JSON.stringify(c),
    );
  }
  async getCampaign(accountId: string, campaignId: string): Promise<Campaign | undefined> {
    return this.#body('SELECT body FROM campaigns WHERE account_id = $1 AND id = $2', accountId, campaignId);
  }
  async listCampaigns(accountId: string): Promise<Campaign[]> {
    return this.#bodies('SELECT body FROM campaigns WHERE account_id = $1 ORDER BY length(id), id', accountId);
  }
  async deleteCampaign(accountId: string, campaignId: string): Promise<boolean> {
    if (hasNul(accountId) || hasNul(campaignId)) return false;
    return this.#db.transaction(async (client) => {
      await client.query('DELETE FROM contacts WHERE account_id = $1 AND campaign_id = $2', [accountId, campaignId]);
      return (await client.query('DELETE FROM campaigns WHERE account_id = $1 AND id = $2', [accountId, campaignId])).rowCount === 1;
    });
  }
  async addContacts(contacts: Contact[]): Promise<void> {
    if (contacts.length === 0) return;
    await this.#db.transaction(async (client) => {
      // In chunks: one statement per 1,000 rows keeps a 100,000-row import to 100 round trips.
      for (let i = 0; i < contacts.length; i += 1000) {
        const chunk = contacts.slice(i, i + 1000);
        const values: Arg[] = [];
        const rows = chunk.map((c, j) => {
          values.push(c.accountId, c.campaignId, c.id, c.phoneNumber, c.state, JSON.stringify(c));
          const b = j * 6;
          return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}::json)`;
        });
        await client.query(`INSERT INTO contacts (account_id, campaign_id, id, phone_number, state, body) VALUES ${rows.join(', ')}`, values);
      }
    });
  }
  async updateContact(c: Contact): Promise<boolean> {
    if ([c.accountId, c.campaignId, c.id].some(hasNul)) return false;
    return (
      (await this.#exec(
        'UPDATE contacts SET phone_number = $1, state = $2, body = $3::json WHERE account_id = $4 AND campaign_id = $5 AND id = $6',
        c.phoneNumber, c.state, JSON.stringify(c), c.accountId, c.campaignId, c.id,
      )) === 1
    );
  }
  async getContact(accountId: string, campaignId: string, contactId: string): Promise<Contact | undefined> {
    return this.#body('SELECT body FROM contacts WHERE account_id = $1 AND campaign_id = $2 AND id = $3', accountId, campaignId, contactId);
  }
  async listContacts(accountId: string, campaignId: string, q: ContactQuery): Promise<ContactPage> {
    const where = `account_id = $1 AND campaign_id = $2${q.state === undefined ? '' : ' AND state = $3'}`;
    const args: Arg[] = q.state === undefined ? [accountId, campaignId] : [accountId, campaignId, q.state];
    const total = Number((await this.#rows<{ n: string }>(`SELECT count(*) AS n FROM contacts WHERE ${where}`, args))[0]?.n ?? 0);
    const n = args.length;
    const contacts = await this.#bodies<Contact>(`SELECT body FROM contacts WHERE ${where} ORDER BY seq LIMIT $${n + 1} OFFSET $${n + 2}`, ...args, q.limit, q.offset);
    return { contacts, total };
  }
  async listContactNumbers(accountId: string, campaignId: string): Promise<string[]> {
    return (await this.#rows<{ phone_number: string }>('SELECT phone_number FROM contacts WHERE account_id = $1 AND campaign_id = $2 ORDER BY seq', [accountId, campaignId])).map((r) => r.phone_number);
  }
  async deleteContact(accountId: string, campaignId: string, contactId: string): Promise<boolean> {
    if ([accountId, campaignId, contactId].some(hasNul)) return false;
    return (await this.#exec('DELETE FROM contacts WHERE account_id = $1 AND campaign_id = $2 AND id = $3', accountId, campaignId, contactId)) === 1;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#cache.close();
    if (this.#ownsDb) await this.#db.close();
  }

  /** Rows of a read. A key with a NUL character matches nothing: PostgreSQL text cannot hold one, so no
   *  row has it (SQLite answers the same; here the query would fail instead). */
  async #rows<R extends pg.QueryResultRow>(sql: string, args: Arg[]): Promise<R[]> {
    if (args.some(hasNul)) return [];
    return (await this.#db.pool.query<R>({ name: this.#name(sql), text: sql, values: args })).rows;
  }
  async #body<T>(sql: string, ...args: Arg[]): Promise<T | undefined> {
    return (await this.#rows<{ body: T }>(sql, args))[0]?.body;
  }
  async #bodies<T>(sql: string, ...args: Arg[]): Promise<T[]> {
    return (await this.#rows<{ body: T }>(sql, args)).map((r) => r.body);
  }
  /** A provisioning row, from this node's cache (frozen: shared by every caller). */
  async #provisioned<T>(sql: string, ...args: Arg[]): Promise<T | undefined> {
    return this.#cache.get(cacheKey(sql, args), () => this.#body<T>(sql, ...args));
  }
  async #provisionedAll<T>(sql: string, ...args: Arg[]): Promise<T[]> {
    return (await this.#cache.get(cacheKey(sql, args), () => this.#bodies<T>(sql, ...args))) ?? [];
  }
  /** A write; its row count. */
  async #exec(sql: string, ...args: Arg[]): Promise<number> {
    return (await this.#db.pool.query({ name: this.#name(sql), text: sql, values: args })).rowCount ?? 0;
  }
  #name(sql: string): string {
    let name = this.#names.get(sql);
    if (!name) {
      // Named by the text's hash: another store (or component) on the same pool never reuses a name for
      // other SQL, which pg refuses.
      name = `rs_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
      this.#names.set(sql, name);
    }
    return name;
  }
}

/** The number's body and its runtime link, in the caller's transaction (sqlite-store.ts #linkNumber). */
async function linkNumber(client: pg.PoolClient, n: NumberRecord, applicationId: string | undefined): Promise<void> {
  const { application: _old, ...rest } = n;
  const rec: NumberRecord = applicationId === undefined ? rest : { ...rest, application: applicationId };
  await client.query('UPDATE numbers SET body = $1::json WHERE number = $2', [JSON.stringify(rec), n.number]);
  await client.query(
    'INSERT INTO number_apps (number, account_id, application_id) VALUES ($1, $2, $3) ON CONFLICT (number) DO UPDATE SET account_id = excluded.account_id, application_id = excluded.application_id',
    [n.number, n.accountId, applicationId ?? null],
  );
}

const cacheKey = (sql: string, args: Arg[]): string => `${sql}\u0000${args.join('\u0000')}`;
const hasNul = (a: Arg): boolean => typeof a === 'string' && a.includes('\u0000');

/** BIGINT columns come back as strings (pg keeps 64-bit integers exact); Number() where read. */
type SessionRow = { guid: string; user_id: string; account_id: string; token_expires_at: string; refresh_expires_at: string; refresh_hash: string };

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function toSession(r: SessionRow): AuthSession {
  return { guid: r.guid, userId: Number(r.user_id), accountId: r.account_id, tokenExpiresAt: Number(r.token_expires_at), refreshExpiresAt: Number(r.refresh_expires_at) };
}

function newTokens(guid: string, userId: number, accountId: string, now: number, tokenLifetime: number, refreshLifetime: number): IssuedTokens {
  return {
    session: { guid, userId, accountId, tokenExpiresAt: now + tokenLifetime * 1000, refreshExpiresAt: now + refreshLifetime * 1000 },
    token: randomUUID(),
    refreshToken: randomUUID(),
  };
}
