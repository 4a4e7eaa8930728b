/**
 * The provisioning and state store: the one interface the switch, messaging and APIs read configuration
 * through. SQLite implements it for the embedded default (sqlite-store.ts); a PostgreSQL implementation
 * satisfies the same interface for scale-out, which is why every method is async.
 */
import type {
  AccountConfig,
  ApiCredentialConfig,
  ApplicationConfig,
  LineConfig,
  NumberConfig,
  ProvisioningConfig,
  RingGroupConfig,
  ServerConfig,
  TrunkConfig,
  UserConfig,
  WebhookConfig,
} from '../config/config-types.js';
import type { CallFlow } from '../config/call-flow/flow-types.js';
import type { VoiceListQuery, VoiceResource, VoiceResourceKind, VoiceResourceOf } from './voice-records.js';
import type { AttemptResult, CampaignInput, CampaignState, ContactInput, ContactState } from '../config/config-types.js';

/** An account as stored: its voice-API token and secret are kept as an API credential (hashed), only the
 *  voice user id stays here. */
export type AccountRecord = Omit<AccountConfig, 'users' | 'numbers' | 'lines' | 'ringGroups' | 'applications' | 'webhooks' | 'apiCredentials' | 'flows' | 'campaigns' | 'voiceApi'> & {
  voiceApi?: { userId: string };
};

/** A user as stored: the login password is kept only as a scrypt hash. */
export type UserRecord = Omit<UserConfig, 'password' | 'passwordHash'> & { accountId: string; passwordHash: string };

export type NumberRecord = NumberConfig & { accountId: string; lineId?: string };
export type LineRecord = LineConfig & { accountId: string };
export type RingGroupRecord = RingGroupConfig & { accountId: string };
/** A call flow (config/call-flow/flow-types.ts) as stored: exactly as written, defaults not applied. */
export type FlowRecord = CallFlow & { accountId: string };
/** `source`: provisioned by the config file (replaced whenever the file re-seeds: app/storage.ts) or made through the voice API's REST
 *  (`POST /applications`: kept across restarts, like API webhooks). Absent means `config`. */
export type ApplicationRecord = ApplicationConfig & { accountId: string; source?: 'config' | 'api' };
export type WebhookRecord = WebhookConfig & { accountId: string; source: 'config' | 'api' };
export type ApiCredentialRecord = Omit<ApiCredentialConfig, 'secret'> & { accountId: string; secretHash: string };
export type TrunkRecord = TrunkConfig;

/** The autodialer's records (dialer/campaign-types.ts re-exports them with their value lists): runtime
 *  state, kept across restarts and never touched by a re-seed from the config file. A campaign as written
 *  is config-types.ts's (the config file's example campaigns have its shape). */
export type { AttemptResult, CallingWindow, CampaignInput, CampaignMode, CampaignState, ContactInput, ContactState, Pacing, RetryRule, RetryRules, Weekday } from '../config/config-types.js';

export interface Campaign extends CampaignInput {
  id: string;
  accountId: string;
  state: CampaignState;
  createdAt: number;
  updatedAt: number;
}

export interface ContactAttempt {
  at: number;
  result: AttemptResult;
}

export interface Contact extends ContactInput {
  id: string;
  campaignId: string;
  accountId: string;
  state: ContactState;
  attempts: ContactAttempt[];
  nextAttemptAt?: number;
  createdAt: number;
}

/** A page of a campaign's contacts, oldest first (the order they were added). */
export interface ContactQuery {
  state?: ContactState;
  offset: number;
  limit: number;
}

export interface ContactPage {
  contacts: Contact[];
  /** How many match the query in all pages. */
  total: number;
}

/** A bearer session from `POST /auth/login` (spec realtime §5.2). Tokens are kept only as hashes. */
export interface AuthSession {
  guid: string;
  userId: number;
  accountId: string;
  tokenExpiresAt: number;
  refreshExpiresAt: number;
}

export interface IssuedTokens {
  session: AuthSession;
  token: string;
  refreshToken: string;
}

/** A registered SIP contact, persisted so a restart keeps registrations (RFC 3261 §10.3; the registrar's
 *  `Binding` has this shape). */
export interface SipBindingRecord {
  userId: string;
  aor: string;
  contact: string;
  source: { protocol: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss'; host: string; port: number; connectionId?: string };
  expiresAt: number;
  callId: string;
  cseq: number;
  q: number;
  userAgent?: string;
  /** RFC 3327 Path header field values of the REGISTER, in order (kept in the JSON body). */
  path?: string[];
}

/** One stored MMS part: served at `GET /mms/component/{messageId}/{filename}`. */
export interface MessageComponent {
  filename: string;
  contentType: string;
  size: number;
}

/** A text as a report entry (spec realtime §1 "Report entry": its id is the events' `uniqueId`). */
export interface MessageRecord {
  id: string;
  accountId: string;
  direction: 'incoming' | 'outgoing';
  medium: 'sms' | 'mms';
  from: string;
  to: string;
  body: string;
  lineId?: string;
  userId?: number;
  components: MessageComponent[];
  /** `received` (in), `sent` (accepted by the carrier), `failed` (the carrier refused it). */
  status: 'received' | 'sent' | 'failed';
  /** Why a send failed, for the report. */
  error?: string;
  /** Where it came from or went: `carrier-sip`, `carrier-http`, `api`, `device`. */
  via: string;
  createdAt: number;
}

/** One leg of a call as its report entry summarises it. */
export interface CallLegSummary {
  legId: string;
  /** facts.ts `LegRole`: `caller`, `callee`, `contact` (originate phone side), `operator` (originate SIP side). */
  role: 'caller' | 'callee' | 'contact' | 'operator';
  direction: 'in' | 'out';
  /** `phone` (a number through a trunk), `sip` (a user's device), `local` (Ringside). */
  partyKind: 'phone' | 'sip' | 'local';
  /** E.164 for phones, extension / SIP user for devices. */
  number: string;
  name?: string;
  userId?: number;
  /** Caller ID presented on a leg Ringside dialled. */
  callerId?: string;
  /** Dial result (teltel DIALSTATUS): `ANSWER` when it answered, else why it failed; absent for the caller's leg. */
  result?: string;
  sipStatus?: number;
  /** Why it ended (facts.ts `HangupCause`). */
  cause?: string;
  /** Who hung up this leg first: the far end (`remote`) or Ringside (`local`). */
  endedBy?: 'remote' | 'local';
  createdAt: number;
  answeredAt?: number;
  endedAt?: number;
}

/**
 * A call as a report entry (spec realtime §1 "Report entry", §4.2): its id is the realtime `uniqueId` of
 * the call, which is the session's `callId` — or, for the callee part of an originate, the callee leg's
 * id (the realtime projection reports that part as its own `outgoing` call). Times in ms since the epoch.
 */
export interface CallRecord {
  id: string;
  accountId: string;
  /** The session (realtime `trackingId`, teltel `session_id`). */
  sessionId: string;
  /** The realtime direction of this call: `incoming`, `outgoing`, `internal`, `originate`. */
  direction: 'incoming' | 'outgoing' | 'internal' | 'originate';
  /** facts.ts `SessionKind` of the session it belongs to. */
  sessionKind: string;
  /** The originate entry this callee entry belongs to (originate only). */
  parentId?: string;
  from: string;
  to: string;
  lineId?: string;
  lineName?: string;
  lineNumber?: string;
  /** The user the record is associated with (the outgoing caller, the originate user, or who answered). */
  userId?: number;
  /** The user whose device (or PIN) answered. */
  answeredByUserId?: number;
  /** Every user the call concerned (rung, calling, associated). */
  userIds: number[];
  startedAt: number;
  answeredAt?: number;
  endedAt: number;
  /** Whole seconds from start to end, and from answer to end (0 when unanswered). */
  duration: number;
  billableSeconds: number;
  disposition: 'answered' | 'missed' | 'canceled' | 'voicemail';
  hasVoicemail: boolean;
  /** Where the voicemail message is served, when one was left. */
  voicemailUrl?: string;
  /** Where the call's recording is served, when the call was recorded. */
  recordingUrl?: string;
  /** The party whose hangup ended the session (`local` = Ringside) and the session's end cause. */
  hangupBy: { kind: 'phone' | 'sip' | 'local'; number: string; userId?: number };
  cause: string;
  /** The originate request's echo (leg numbers, caller IDs, trace id). */
  callback?: { leg1Number: string; leg1CallerId: string; leg2Number: string; leg2CallerId: string; traceId?: string };
  legs: CallLegSummary[];
}

/** A report entry: a text or a call (spec realtime §1: both are looked up by their `uniqueId`). */
export type ReportEntry = { kind: 'message'; message: MessageRecord } | { kind: 'call'; call: CallRecord };

export interface OptOutRecord {
  accountId: string;
  number: string;
  keyword: string;
  /** Report id of the text that opted out, or `api` for an operator's edit. */
  source: string;
  createdAt: number;
}

/** What an agent set (docs/call-centre.md, "Agents"): runtime state, kept across restarts and reloads of
 *  the config file. `busy` is not stored: it is derived from the calls in progress. */
export type AgentPresence = 'available' | 'paused' | 'logged-out';

export interface AgentPresenceRecord {
  accountId: string;
  userId: number;
  presence: AgentPresence;
  /** When it was set, ms since the epoch. */
  since: number;
}

/** REST provisioning writes (provisioning-writes.ts applies them for both stores). */
export type ProvisioningResource = 'users' | 'numbers' | 'lines' | 'ringGroups' | 'trunks' | 'apiCredentials' | 'flows';

/** A user as written: passwords in plaintext (the store hashes the login password); on replace an
 *  omitted `password` or `sip.password` keeps the current one. `id` omitted on create: the next free id. */
export type UserInput = Omit<UserConfig, 'id' | 'password' | 'passwordHash' | 'sip'> & { id?: number; password?: string; sip?: { username: string; password?: string } };
/** `auth.password` omitted on replace keeps the current one. */
export type TrunkInput = Omit<TrunkConfig, 'auth'> & { auth?: { username: string; password?: string; realm?: string } };
/** `secret` omitted on replace keeps the current one. */
export interface ApiCredentialInput {
  token: string;
  secret?: string;
  name?: string;
}

export interface ResourceTypes {
  users: { input: UserInput; record: UserRecord; key: number };
  numbers: { input: NumberConfig; record: NumberRecord; key: string };
  lines: { input: LineConfig; record: LineRecord; key: string };
  ringGroups: { input: RingGroupConfig; record: RingGroupRecord; key: string };
  trunks: { input: TrunkInput; record: TrunkRecord; key: string };
  apiCredentials: { input: ApiCredentialInput; record: ApiCredentialRecord; key: string };
  flows: { input: CallFlow; record: FlowRecord; key: string };
}
export type RecordOf<R extends ProvisioningResource> = ResourceTypes[R]['record'];

/** One write. `precondition` runs inside the transaction on the current record (the REST If-Match):
 *  false refuses the write with `precondition_failed`. Trunks ignore `accountId` (they are global). */
export type ProvisioningChange<R extends ProvisioningResource = ProvisioningResource> = R extends ProvisioningResource
  ?
      | { resource: R; op: 'create'; accountId: string; value: ResourceTypes[R]['input'] }
      | { resource: R; op: 'replace'; accountId: string; key: ResourceTypes[R]['key']; value: ResourceTypes[R]['input']; precondition?: (current: RecordOf<R>) => boolean }
      | { resource: R; op: 'delete'; accountId: string; key: ResourceTypes[R]['key']; precondition?: (current: RecordOf<R>) => boolean }
  : never;

export interface ProvisioningCounts {
  accounts: number;
  users: number;
  numbers: number;
  lines: number;
  ringGroups: number;
  trunks: number;
  applications: number;
  webhooks: number;
  apiCredentials: number;
  flows: number;
}

export interface Store {
  /** Makes the store's provisioning exactly the file's, in one transaction (at start when the file changed
   *  since it last seeded: app/storage.ts `seedProvisioning`). Runtime state (bindings, reports,
   *  API-created webhooks) is kept. */
  replaceProvisioning(config: ProvisioningConfig, seed?: string): Promise<ProvisioningCounts>;
  /** The `seed` given to the last replaceProvisioning (the hash of the file it seeded from: app/storage.ts
   *  `seedProvisioning`), in the same transaction; undefined when none was. */
  provisioningSeed(): Promise<string | undefined>;
  /** One REST write of a user, number, line, ring group, trunk, API credential or call flow, in one transaction that
   *  re-runs the config loader's cross-checks on the result: refused whole (`ProvisioningWriteError`:
   *  conflict, invalid_reference, invalid, not_found, precondition_failed) or applied whole, seen by every
   *  node's next lookup. Resolves to the written record (the deleted one for `delete`). */
  changeProvisioning<R extends ProvisioningResource>(change: ProvisioningChange<R>): Promise<RecordOf<R>>;
  counts(): Promise<ProvisioningCounts>;
  /** The file's `server` section, as last loaded. */
  serverConfig(): Promise<ServerConfig>;

  listAccounts(): Promise<AccountRecord[]>;
  getAccount(accountId: string): Promise<AccountRecord | undefined>;

  getUser(userId: number): Promise<UserRecord | undefined>;
  listUsers(accountId: string): Promise<UserRecord[]>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  findUserBySipUsername(username: string): Promise<UserRecord | undefined>;
  findUserByExtension(accountId: string, extension: string): Promise<UserRecord | undefined>;
  findUserByPin(accountId: string, pin: string): Promise<UserRecord | undefined>;
  /** Checks a login password against the stored hash, in constant time. */
  verifyUserPassword(user: UserRecord, password: string): Promise<boolean>;

  /** The account number, wherever it is provisioned, with the line that advertises it. */
  findNumber(e164: string): Promise<NumberRecord | undefined>;
  listNumbers(accountId: string): Promise<NumberRecord[]>;
  getLine(accountId: string, lineId: string): Promise<LineRecord | undefined>;
  listLines(accountId: string): Promise<LineRecord[]>;
  findRingGroupByNumber(accountId: string, number: string): Promise<RingGroupRecord | undefined>;
  listRingGroups(accountId: string): Promise<RingGroupRecord[]>;
  /** The account's call flows (a line's `ring.flow`, a campaign's `callFlowId`), by id. */
  getFlow(accountId: string, flowId: string): Promise<FlowRecord | undefined>;
  listFlows(accountId: string): Promise<FlowRecord[]>;

  listTrunks(): Promise<TrunkRecord[]>;
  getTrunk(name: string): Promise<TrunkRecord | undefined>;

  getApplication(accountId: string, applicationId: string): Promise<ApplicationRecord | undefined>;
  listApplications(accountId: string): Promise<ApplicationRecord[]>;
  /** Creates or replaces an application (REST-made ones have `source: 'api'` and survive a restart). */
  putApplication(app: ApplicationRecord): Promise<void>;
  /** Deletes an application and unlinks its numbers; false when there was none. */
  deleteApplication(accountId: string, applicationId: string): Promise<boolean>;
  /** Links an account number to an application, or unlinks it (`undefined`). The link is runtime state:
   *  it survives a restart and overrides the config file's `application` for that number. False when the
   *  number is not the account's. */
  setNumberApplication(accountId: string, number: string, applicationId: string | undefined): Promise<boolean>;
  /** The account whose voice-API user id this is (`voiceApi.userId`, spec bandwidth §0). */
  findAccountByVoiceUser(userId: string): Promise<AccountRecord | undefined>;

  /** Voice-API calls, gathers, recordings and bridges (voice-records.ts): upsert by (account, kind, id). */
  putVoiceResource(resource: VoiceResource): Promise<void>;
  getVoiceResource<K extends VoiceResourceKind>(accountId: string, kind: K, id: string): Promise<VoiceResourceOf<K> | undefined>;
  listVoiceResources<K extends VoiceResourceKind>(accountId: string, kind: K, query: VoiceListQuery): Promise<VoiceResourceOf<K>[]>;
  /** Every account's voice resources not in a final state (calls started/active/transferring, gathers
   *  started, recordings recording/saving, bridges not completed): what a restart finds cut. */
  listUnfinishedVoiceResources(): Promise<VoiceResource[]>;
  listWebhooks(accountId: string): Promise<WebhookRecord[]>;
  findApiCredential(token: string): Promise<ApiCredentialRecord | undefined>;
  listApiCredentials(accountId: string): Promise<ApiCredentialRecord[]>;
  verifyApiSecret(credential: ApiCredentialRecord, secret: string): Promise<boolean>;

  /** Creates or replaces a webhook subscription made through REST (`source: 'api'`). */
  putWebhook(webhook: WebhookRecord): Promise<void>;
  /** Deletes a webhook; false when there was none. */
  deleteWebhook(accountId: string, webhookId: string): Promise<boolean>;

  /** Bearer sessions (spec realtime §5.2): a new session, its lookup by token, and refresh, which
   *  replaces both tokens (the old refresh token stops working). */
  createAuthSession(userId: number, accountId: string, tokenLifetimeSeconds: number, refreshLifetimeSeconds: number): Promise<IssuedTokens>;
  findAuthSession(token: string): Promise<AuthSession | undefined>;
  refreshAuthSession(refreshToken: string, tokenLifetimeSeconds: number, refreshLifetimeSeconds: number): Promise<IssuedTokens | undefined>;

  /** SIP registrations: upsert by (userId, contact), load a user's, remove one. */
  loadSipBindings(userId: string): Promise<SipBindingRecord[]>;
  saveSipBinding(binding: SipBindingRecord): Promise<void>;
  removeSipBinding(userId: string, contact: string): Promise<void>;
  /** Bindings not yet expired at `now`, for health checks. */
  countSipBindings(now: number): Promise<number>;

  /** Texts (report entries). */
  putMessage(message: MessageRecord): Promise<void>;
  /** Calls (report entries), written by the switch when a call session ends; replaces an entry with the same id. */
  putCall(call: CallRecord): Promise<void>;
  getReportEntry(accountId: string, id: string): Promise<ReportEntry | undefined>;
  /** Entries created in [fromMs, toMs), oldest first. */
  listReportEntries(accountId: string, fromMs: number, toMs: number, limit: number): Promise<ReportEntry[]>;
  /** The user of the latest outgoing text from `lineNumber` to `remote`, if one was tied to a user. */
  lastTextUser(accountId: string, lineNumber: string, remote: string): Promise<number | undefined>;

  /** The account-wide SMS opt-out list. */
  getOptOut(accountId: string, number: string): Promise<OptOutRecord | undefined>;
  /** Adds a number; false when it was already on the list. */
  addOptOut(record: OptOutRecord): Promise<boolean>;
  /** Removes a number; false when it was not on the list. */
  removeOptOut(accountId: string, number: string): Promise<boolean>;
  listOptOuts(accountId: string): Promise<OptOutRecord[]>;

  /** Agent presence as set (REST, feature codes): upsert by user; the account's, by user id. A user never
   *  set has none (available). A record whose account is not the user's current one is stale. */
  setAgentPresence(record: AgentPresenceRecord): Promise<void>;
  getAgentPresence(userId: number): Promise<AgentPresenceRecord | undefined>;
  listAgentPresence(accountId: string): Promise<AgentPresenceRecord[]>;

  /** Autodialer campaigns (dialer/campaign-types.ts): runtime state, never touched by a re-seed. Upsert by
   *  (account, id); the account's by id. */
  putCampaign(campaign: Campaign): Promise<void>;
  /** `count` fresh consecutive ids for campaigns or contacts (integers: teltel `campaign_id`/`contact_id`,
   *  spec teltel §2.3); returns the first. Never the same id twice, across restarts and cluster nodes. */
  allocateDialerIds(kind: 'campaign' | 'contact', count: number): Promise<number>;
  getCampaign(accountId: string, campaignId: string): Promise<Campaign | undefined>;
  listCampaigns(accountId: string): Promise<Campaign[]>;
  /** Deletes a campaign with its contacts; false when there was none. */
  deleteCampaign(accountId: string, campaignId: string): Promise<boolean>;
  /** Adds contacts, all or none (one transaction). A phone number already in the campaign (or twice in
   *  `contacts`) throws and adds nothing: callers check with listContactNumbers first. */
  addContacts(contacts: Contact[]): Promise<void>;
  /** Replaces a contact (its state and attempts); false when there was none. */
  updateContact(contact: Contact): Promise<boolean>;
  getContact(accountId: string, campaignId: string, contactId: string): Promise<Contact | undefined>;
  /** A page of a campaign's contacts in the order they were added, optionally of one state. */
  listContacts(accountId: string, campaignId: string, query: ContactQuery): Promise<ContactPage>;
  /** Every phone number of a campaign's contacts (duplicate checks of an import). */
  listContactNumbers(accountId: string, campaignId: string): Promise<string[]>;
  /** Deletes a contact; false when there was none. */
  deleteContact(accountId: string, campaignId: string, contactId: string): Promise<boolean>;

  close(): Promise<void>;
}
