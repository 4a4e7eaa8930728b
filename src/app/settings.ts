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
  logLevel: string;
}

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
  logLevel?: string;
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
  logLevel: 'RINGSIDE_LOG_LEVEL',
};

export function resolveSettings(flags: RawSettings, env: NodeJS.ProcessEnv = process.env): Settings {
  const get = (k: keyof RawSettings): string | undefined => flags[k] ?? env[ENV[k]] ?? undefined;
  const port = (k: 'httpPort' | 'sipPort', def: number): number => {
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
  const publicUrl = get('publicUrl');
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(publicUrl)) throw new SettingsError(`--public-url (${ENV.publicUrl}): '${publicUrl}' is not an http(s) URL`);
  const s: Settings = {
    dataDir: get('data') ?? './data',
    host: get('host') ?? '0.0.0.0',
    httpPort: port('httpPort', 8080),
    sipPort: port('sipPort', 5060),
    rtpPorts: { min, max },
    logLevel: level,
  };
  const configFile = get('config');
  if (configFile !== undefined) s.configFile = configFile;
  if (publicUrl !== undefined) s.publicUrl = publicUrl.replace(/\/+$/, '');
  return s;
}

function flagName(k: string): string {
  return '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
