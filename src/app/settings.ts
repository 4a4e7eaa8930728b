import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { isWildcard } from '../util/local-address.js';
/**
 * Runtime settings of `ringside serve`: from flags, else `RINGSIDE_*` environment variables, else defaults.
 * Each is validated here so a bad value stops the start with a message naming the setting.
 */
export interface Settings {
  configFile?: string;
  dataDir: string;
  host: string;
  httpPort: number;
  sipPort: number;
  rtpPorts: { min: number; max: number };
  publicUrl?: string;
  /** Host in SIP Via/Contact/From (`--sip-address`); unset: derived per peer (docs/phones.md). */
  sipAddress?: string;
  /** IP in SDP `c=` (`--media-address`); unset: the SIP address when it is an IP, else derived per peer. */
  mediaAddress?: string;
  logLevel: string;
  /** `json`: one pino JSON line per event (machines); `pretty`: one readable line (people). */
  logFormat: LogFormat;
  /** New calls get 503 + Retry-After past these bounds (sip/overload-guard.ts); environment only. */
  overload: { maxLoopDelayMs: number; maxUtilizationPercent: number; maxLateInvitesPerSecond: number; maxSocketDelayMs: number; maxLogBacklog: number; retryAfterSeconds: number };
  /** SO_RCVBUF asked for the SIP UDP socket (bytes); environment only. */
  sipUdpReceiveBufferBytes: number;
  /** How long an inbound voice-API call without `autoAnswer` waits for its application (docs/voice-api.md);
   *  environment only. */
  voiceAnswerTimeoutSeconds: number;
  /** How long `/sms/send` waits for the carrier's answer to a MESSAGE before answering 502 (docs/messaging.md);
   *  environment only. */
  textCarrierTimeoutSeconds: number;
  /** SIP WebSocket connections open at once from one address; more are refused 503 (environment only). */
  sipWsMaxPerAddress: number;
  /** A cluster node's liveness lease (ms): a survivor closes a dead node's calls once it expires
   *  (app/session-takeover.ts); environment only. */
  nodeLeaseMs: number;
  /** SIP over TLS and HTTPS/WSS (docs/configuration.md, "TLS"): absent when off. On when a certificate,
   *  a SIP TLS port or an HTTPS port is given; without certificate files a self-signed pair is made. */
  tls?: { sipPort: number; httpsPort: number; certFile?: string; keyFile?: string; caFile?: string };
  /** Path of SIP over WebSocket on the HTTP (ws) and HTTPS (wss) servers, RFC 7118. */
  sipWsPath: string;
  /** Bearer token `GET /metrics` requires; unset: loopback clients only (docs/metrics.md). Environment only:
   *  a flag would show in `ps`. */
  metricsToken?: string;
  /** Where configuration and state live (docs/scale-out.md): the embedded SQLite database in the data
   *  directory, or a PostgreSQL URL (`--store postgres://…`). */
  store: { kind: 'sqlite' } | { kind: 'postgres'; url: string };
  /** The event log: the embedded SQLite log in the data directory, or NATS JetStream (`--log nats://…`). */
  log: { kind: 'sqlite' } | { kind: 'nats'; url: string };
  /** This node's id in a cluster (`--node-id`, default the host name): owner of the sessions it records. */
  nodeId: string;
}

export type LogFormat = 'json' | 'pretty';

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export interface RawSettings {
  config?: string;
  data?: string;
  host?: string;
  httpPort?: string;
  sipPort?: string;
  rtpPorts?: string;
  publicUrl?: string;
  sipAddress?: string;
  mediaAddress?: string;
  logLevel?: string;
  logFormat?: string;
  sipTlsPort?: string;
  httpsPort?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  sipWsPath?: string;
  store?: string;
  log?: string;
  nodeId?: string;
}

/** Environment variable for each setting (documented in docs/configuration.md). */
export const ENV: Record<keyof RawSettings, string> = {
  config: 'RINGSIDE_CONFIG',
  data: 'RINGSIDE_DATA',
  host: 'RINGSIDE_HOST',
  httpPort: 'RINGSIDE_HTTP_PORT',
  sipPort: 'RINGSIDE_SIP_PORT',
  rtpPorts: 'RINGSIDE_RTP_PORTS',
  publicUrl: 'RINGSIDE_PUBLIC_URL',
  sipAddress: 'RINGSIDE_SIP_ADDRESS',
  mediaAddress: 'RINGSIDE_MEDIA_ADDRESS',
  logLevel: 'RINGSIDE_LOG_LEVEL',
  logFormat: 'RINGSIDE_LOG_FORMAT',
  sipTlsPort: 'RINGSIDE_SIP_TLS_PORT',
  httpsPort: 'RINGSIDE_HTTPS_PORT',
  tlsCert: 'RINGSIDE_TLS_CERT',
  tlsKey: 'RINGSIDE_TLS_KEY',
  tlsCa: 'RINGSIDE_TLS_CA',
  sipWsPath: 'RINGSIDE_SIP_WS_PATH',
  store: 'RINGSIDE_STORE',
  log: 'RINGSIDE_LOG',
  nodeId: 'RINGSIDE_NODE_ID',
};

/** Tuning read from the environment only (no flags): docs/configuration.md, "Load". */
export const TUNING_ENV = {
  maxLoopDelayMs: 'RINGSIDE_OVERLOAD_LOOP_DELAY_MS',
  maxUtilizationPercent: 'RINGSIDE_OVERLOAD_LOOP_BUSY_PERCENT',
  maxLateInvitesPerSecond: 'RINGSIDE_OVERLOAD_LATE_INVITES',
  maxSocketDelayMs: 'RINGSIDE_OVERLOAD_SOCKET_DELAY_MS',
  maxLogBacklog: 'RINGSIDE_OVERLOAD_LOG_BACKLOG',
  retryAfterSeconds: 'RINGSIDE_OVERLOAD_RETRY_AFTER',
  sipUdpReceiveBufferBytes: 'RINGSIDE_SIP_UDP_RCVBUF',
  voiceAnswerTimeoutSeconds: 'RINGSIDE_VOICE_ANSWER_TIMEOUT',
  textCarrierTimeoutSeconds: 'RINGSIDE_TEXT_CARRIER_TIMEOUT',
  sipWsMaxPerAddress: 'RINGSIDE_SIP_WS_MAX_PER_ADDRESS',
  nodeLeaseMs: 'RINGSIDE_NODE_LEASE_MS',
} as const;

/** `isTty`: whether stderr is a terminal, which picks the log format when none is set. */
export function resolveSettings(flags: RawSettings, env: NodeJS.ProcessEnv = process.env, isTty = false): Settings {
  const get = (k: keyof RawSettings): string | undefined => flags[k] ?? env[ENV[k]] ?? undefined;
  const port = (k: 'httpPort' | 'sipPort' | 'sipTlsPort' | 'httpsPort', def: number): number => {
    const v = get(k);
    if (v === undefined) return def;
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || n > 65535) throw new SettingsError(`${flagName(k)} (${ENV[k]}): '${v}' is not a port number 0-65535`);
    return n;
  };
  const rtp = get('rtpPorts') ?? '10000-20000';
  const m = /^([0-9]+)-([0-9]+)$/.exec(rtp);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1024 || max > 65535 || max - min < 1) throw new SettingsError(`--rtp-ports (${ENV.rtpPorts}): '${rtp}' must be a range LOW-HIGH within 1024-65535`);
  const level = get('logLevel') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) throw new SettingsError(`--log-level (${ENV.logLevel}): '${level}' is not one of fatal, error, warn, info, debug, trace, silent`);
  const format = get('logFormat') ?? (isTty ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') throw new SettingsError(`--log-format (${ENV.logFormat}): '${format}' is not one of json, pretty`);
  const host = get('host') ?? '0.0.0.0';
  if (!isListenAddress(host)) throw new SettingsError(`--host (${ENV.host}): '${host}' is not an IPv4 or IPv6 address or a host name`);
  const publicUrl = get('publicUrl');
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(publicUrl)) throw new SettingsError(`--public-url (${ENV.publicUrl}): '${publicUrl}' is not an http(s) URL`);
  const sipAddress = get('sipAddress');
  if (sipAddress !== undefined && (!isListenAddress(sipAddress) || isWildcard(sipAddress))) throw new SettingsError(`--sip-address (${ENV.sipAddress}): '${sipAddress}' is not an IP address or host name`);

  const mediaAddress = get('mediaAddress');
  if (mediaAddress !== undefined && (isIP(mediaAddress) === 0 || isWildcard(mediaAddress))) throw new SettingsError(`--media-address (${ENV.mediaAddress}): '${mediaAddress}' is not a unicast IP address`);
  const tuning = (k: keyof typeof TUNING_ENV, def: number, min: number, max: number): number => {
    const v = env[TUNING_ENV[k]];
    if (v === undefined || v === '') return def;
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || n < min || n > max) throw new SettingsError(`${TUNING_ENV[k]}: '${v}' must be an integer ${min}-${max}`);
    return n;
  };
  const s: Settings = {
    overload: {
      maxLoopDelayMs: tuning('maxLoopDelayMs', 200, 10, 60_000),
      maxUtilizationPercent: tuning('maxUtilizationPercent', 100, 10, 100),
      maxLateInvitesPerSecond: tuning('maxLateInvitesPerSecond', 10, 0, 1_000_000),
      maxSocketDelayMs: tuning('maxSocketDelayMs', 200, 0, 60_000),
      maxLogBacklog: tuning('maxLogBacklog', 20_000, 10, 10_000_000),
      retryAfterSeconds: tuning('retryAfterSeconds', 2, 1, 3600),
    },
    sipUdpReceiveBufferBytes: tuning('sipUdpReceiveBufferBytes', 8 * 1024 * 1024, 65_536, 1024 * 1024 * 1024),
    voiceAnswerTimeoutSeconds: tuning('voiceAnswerTimeoutSeconds', 30, 1, 3600),
    textCarrierTimeoutSeconds: tuning('textCarrierTimeoutSeconds', 8, 1, 60),
    sipWsMaxPerAddress: tuning('sipWsMaxPerAddress', 200, 1, 1_000_000),
    nodeLeaseMs: tuning('nodeLeaseMs', 15_000, 1_000, 600_000),
    dataDir: get('data') ?? './data',
    host,
    httpPort: port('httpPort', 8080),
    sipPort: port('sipPort', 5060),
    rtpPorts: { min, max },
    logLevel: level,
    logFormat: format,
    sipWsPath: wsPath(get('sipWsPath') ?? '/sip'),
    store: storeSetting(get('store') ?? 'sqlite'),
    log: logSetting(get('log') ?? 'sqlite'),
    nodeId: nodeIdSetting(get('nodeId') ?? hostname()),
  };
  const certFile = get('tlsCert');
  const keyFile = get('tlsKey');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new SettingsError(certFile === undefined ? `--tls-key (${ENV.tlsKey}) needs --tls-cert (${ENV.tlsCert})` : `--tls-cert (${ENV.tlsCert}) needs --tls-key (${ENV.tlsKey})`);
  }
  if (certFile !== undefined || get('sipTlsPort') !== undefined || get('httpsPort') !== undefined) {
    s.tls = { sipPort: port('sipTlsPort', 5061), httpsPort: port('httpsPort', 8443) };
    if (certFile !== undefined && keyFile !== undefined) {
      s.tls.certFile = certFile;
      s.tls.keyFile = keyFile;
    }
    const caFile = get('tlsCa');
    if (caFile !== undefined) s.tls.caFile = caFile;
  }
  const configFile = get('config');
  if (configFile !== undefined) s.configFile = configFile;
  if (publicUrl !== undefined) s.publicUrl = publicUrl.replace(/\/+$/, '');
  if (sipAddress !== undefined) s.sipAddress = sipAddress;
  if (mediaAddress !== undefined) s.mediaAddress = mediaAddress;
  const metricsToken = env.RINGSIDE_METRICS_TOKEN;
  if (metricsToken !== undefined && metricsToken !== '') {
    if (!/^[\x21-\x7e]{16,}$/.test(metricsToken)) throw new SettingsError('RINGSIDE_METRICS_TOKEN: must be at least 16 printable characters without spaces');
    s.metricsToken = metricsToken;
  }
  return s;
}

function storeSetting(v: string): Settings['store'] {
  if (v === 'sqlite') return { kind: 'sqlite' };
  if (/^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v)) return { kind: 'postgres', url: v };
  throw new SettingsError(`--store (${ENV.store}): '${redact(v)}' is not 'sqlite' or a postgres://user@host:port/database URL`);
}

function logSetting(v: string): Settings['log'] {
  if (v === 'sqlite') return { kind: 'sqlite' };
  if (/^nats:\/\/[^\s]+$/.test(v) && URL.canParse(v)) {
    const q = new URL(v).searchParams;
    for (const [k, val] of q) {
      if (!['stream', 'prefix'].includes(k)) throw new SettingsError(`--log (${ENV.log}): unknown parameter '${k}' (stream, prefix)`);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(val)) throw new SettingsError(`--log (${ENV.log}): ${k} '${val}' must be 1-64 letters, digits, '_' or '-'`);
    }
    return { kind: 'nats', url: v };
  }
  throw new SettingsError(`--log (${ENV.log}): '${redact(v)}' is not 'sqlite' or a nats://host:port URL`);
}

/** A node id: it names the node in leases, logs and session ownership, so it is short and plain. */
function nodeIdSetting(v: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(v)) throw new SettingsError(`--node-id (${ENV.nodeId}): '${v}' must be 1-63 letters, digits, '.', '_' or '-'`);
  return v;
}

/** A URL as it may be printed: without its password. */
function redact(v: string): string {
  return v.replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/, '$1***@');
}

/** An address to listen on: an IP address, or a host name (letters, digits, hyphens and dots, not all-numeric
 *  labels, which would be a mistyped IPv4 address such as 999.1.1.1). */
function isListenAddress(v: string): boolean {
  if (isIP(v) !== 0) return true;
  if (v.length > 253 || /^[0-9.]+$/.test(v)) return false;
  return /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(v);
}

function flagName(k: string): string {
  return '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** The SIP WebSocket path: absolute, not `/` (the RealTime API's), no query. */
function wsPath(v: string): string {
  if (!/^\/[A-Za-z0-9._~\-/]+$/.test(v)) throw new SettingsError(`--sip-ws-path (${ENV.sipWsPath}): '${v}' must be a path such as /sip (not /, which is the RealTime API's)`);
  return v;
}
