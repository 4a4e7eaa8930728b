/**
 * Provisioning model: what a deployment configures in its YAML/JSON file (docs/configuration.md).
 * The JSON Schema in config-schema.ts is the authority on shapes; these types mirror it after defaults.
 */
import type { CallFlow } from './call-flow/flow-types.js';

export type Role = 'admin' | 'manager' | 'user';

export interface UserConfig {
  /** Numeric user id, stable across restarts: events carry it (`userId`, teltel `subject_user`). */
  id: number;
  name: string;
  /** Login name for REST and the RealTime API (an e-mail address in the original platform). */
  email: string;
  /** The login password; or, instead, its scrypt hash (`passwordHash`, as `export-config` writes it). */
  password?: string;
  passwordHash?: string;
  role: Role;
  extension?: string;
  pin: string;
  sip?: { username: string; password: string };
  /** The user's own number, used as caller ID when `useOwnCallerId` allows it. */
  phoneNumber?: string;
  outgoingCallerId?: string;
  available: boolean;
  ownRecordsOnly: boolean;
}

/** `flow`: the line runs one of the account's call flows (`ring.flow`), its auto attendant. */
export type RingStrategy = 'ring-all' | 'round-robin' | 'forward' | 'ring-group' | 'voicemail' | 'flow';

export interface LineConfig {
  id: string;
  name: string;
  type: 'general' | 'yard-sign';
  /** The advertised number: one of the account's numbers. */
  number: string;
  ring: {
    strategy: RingStrategy;
    users: number[];
    forwardTo: string[];
    ringGroup?: string;
    /** The id of a flow of the same account (`strategy: flow`). */
    flow?: string;
    timeoutSeconds: number;
    fallback: 'voicemail' | 'hangup';
  };
  confirmCalls: boolean;
  agentPinEntry: boolean;
  record: boolean;
  voicemail: { enabled: boolean; mailboxUser?: number; maxSeconds: number };
}

export interface RingGroupConfig {
  id: string;
  name: string;
  /** Short number dialled internally or named as an originate target (`100`). */
  number: string;
  strategy: 'ring-all' | 'round-robin';
  members: number[];
  timeoutSeconds: number;
}

export interface NumberConfig {
  number: string;
  name?: string;
  /** Voice-API application that receives this number's calls and texts. */
  application?: string;
  sms: boolean;
}

export interface ApplicationConfig {
  id: string;
  name: string;
  incomingCallUrl?: string;
  incomingCallFallbackUrl?: string;
  incomingMessageUrl?: string;
  incomingMessageFallbackUrl?: string;
  callbackHttpMethod: 'GET' | 'POST';
  callbackTimeoutMs: number;
  autoAnswer: boolean;
}

export type DialectName = 'realtime' | 'teltel' | 'bandwidth';

export interface WebhookConfig {
  id: string;
  url: string;
  fallbackUrl?: string;
  secret?: string;
  dialect: DialectName;
  method: 'POST' | 'GET';
  /** Event names to deliver; empty = all of the dialect's events. */
  events: string[];
}

export interface ApiCredentialConfig {
  /** Voice-API style credentials: HTTP Basic with token as user and secret as password. */
  token: string;
  /** The secret; or, instead, its scrypt hash (`secretHash`, as `export-config` writes it). */
  secret?: string;
  secretHash?: string;
  name?: string;
}

export interface AccountConfig {
  id: string;
  accountcode: string;
  name: string;
  timezone: string;
  defaultCallerId?: string;
  textFromNumber?: string;
  trunk?: string;
  limits: { incomingCallSeconds: number; outgoingCallSeconds: number };
  agentPin: { entry: 'digits' | 'pound' | 'double-pound'; waitSeconds: number; maxPrompts: number };
  users: UserConfig[];
  numbers: NumberConfig[];
  lines: LineConfig[];
  ringGroups: RingGroupConfig[];
  applications: ApplicationConfig[];
  webhooks: WebhookConfig[];
  apiCredentials: ApiCredentialConfig[];
  /** Call flows (config/call-flow/flow-types.ts): auto attendants a line points at (`ring.strategy: flow`),
   *  scripts a campaign runs (`callFlowId`). */
  flows: CallFlow[];
  /** Example campaigns (CampaignSeedConfig): seeded once, then runtime state (docs/call-centre.md). */
  campaigns?: CampaignSeedConfig[];
  /** The voice API's identity for this account (spec bandwidth §0): its REST lives under
   *  `/v1/users/{userId}/`, authenticated with HTTP Basic `apiToken:apiSecret`. */
  voiceApi?: VoiceApiConfig;
}

export interface VoiceApiConfig {
  userId: string;
  apiToken: string;
  /** The secret; or, instead, its scrypt hash (`apiSecretHash`, as `export-config` writes it). */
  apiSecret?: string;
  apiSecretHash?: string;
}

export interface TrunkConfig {
  name: string;
  host: string;
  port: number;
  /** `tls` needs TLS on (docs/configuration.md, "TLS"); the carrier's certificate must be valid for `host`. */
  transport: 'udp' | 'tcp' | 'tls';
  /** Source addresses whose calls are this carrier's (defaults to `host`). */
  inboundAddresses: string[];
  /** Credentials to answer the carrier's digest challenges, and to register when `register` is set. */
  auth?: { username: string; password: string; realm?: string };
  register: boolean;
  registerExpiresSeconds: number;
}

export interface ServerConfig {
  /** Base URL clients reach this Ringside at, used inside payloads (recording URLs, voice-API URIs). */
  publicUrl?: string;
  /** Host in our SIP Via/Contact/From (an IP or a name); unset: the address each peer reaches us on. */
  sipAddress?: string;
  /** IP address in our SDP `c=`; unset: `sipAddress` when it is an IP, else the address each peer reaches. */
  mediaAddress?: string;
  /** Proxies in front of Ringside whose Via stamps give a relayed request's origin (sip/request-origin.ts). */
  trustedProxies?: string[];
  /** SIP digest realm. */
  sipRealm: string;
  /** Digest challenge algorithms, most preferred first. */
  sipDigestAlgorithms: ('SHA-256' | 'MD5')[];
  /** Digest brute-force limits (docs/security.md); absent in data stored before they existed. */
  sipDigestLimits?: SipDigestLimitsConfig;
}

export interface SipDigestLimitsConfig {
  maxFailuresPerSource: number;
  maxFailuresPerUser: number;
  windowSeconds: number;
  /** A source that authenticated as a user is exempt from that user's lock this long. */
  trustedSourceHours: number;
}

export interface ProvisioningConfig {
  server: ServerConfig;
  trunks: TrunkConfig[];
  accounts: AccountConfig[];
}

/** The autodialer's campaign and contact as written (REST; the config file's example campaigns); the
 *  store's records add ids and state (store.ts `Campaign`, `Contact`). */
export type CampaignMode = 'predictive' | 'contact-callflow' | 'operator-contact';
export type CampaignState = 'draft' | 'running' | 'paused' | 'finished';
export type ContactState = 'pending' | 'dialling' | 'done' | 'failed' | 'exhausted';
export type AttemptResult = 'answered' | 'busy' | 'no-answer' | 'failed' | 'abandoned';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** When contacts may be called: local time `from`–`to` (`HH:MM`, 24 h) on `days`, in `timezone` (IANA;
 *  default the account's). `to` earlier than `from` spans midnight. */
export interface CallingWindow {
  timezone?: string;
  days: Weekday[];
  from: string;
  to: string;
}

export interface RetryRule {
  afterMinutes: number;
}

/** When a contact is tried again, per result of its last attempt, and how often at most. */
export interface RetryRules {
  busy: RetryRule;
  noAnswer: RetryRule;
  failed: RetryRule;
  maxAttempts: number;
}

/** Predictive mode: contacts dialled per free agent, and the abandon rate it must stay under. */
export interface Pacing {
  ratio?: number;
  maxAbandonPercent?: number;
}

/** What a client sets (POST and PUT /campaigns). */
export interface CampaignInput {
  name: string;
  mode: CampaignMode;
  state?: CampaignState;
  /** An E.164 number of the account, presented to contacts. */
  callerId: string;
  /** Who takes the answered contacts: users of the account, or one ring group (its id). */
  agents?: number[];
  ringGroup?: string;
  /** The call flow run for an answered contact (`contact-callflow`). */
  callFlowId?: string;
  window: CallingWindow;
  retry: RetryRules;
  pacing?: Pacing;
}

/** What a client gives for a contact (JSON or a CSV row). */
export interface ContactInput {
  phoneNumber: string;
  name?: string;
  /** Free key/values shown to the agent and passed to the call flow. */
  fields?: Record<string, string>;
}

/** An example campaign in the config file (`accounts[].campaigns`): created with its contacts when the file
 *  seeds the store and no campaign of that name exists; runtime state from then on (app/storage.ts). */
export interface CampaignSeedConfig extends CampaignInput {
  contacts: ContactInput[];
}
