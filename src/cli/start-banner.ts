/**
 * The start-up banner of `ringside serve --log-format pretty`: where to point a browser, a WebSocket client
 * and a phone, and — with the demo configuration (a file named demo.yaml) — the logins to try. For people:
 * JSON logging (machines) prints no banner; its `ringside started` line carries the same addresses.
 */
import { basename } from 'node:path';
import type { ProvisioningConfig } from '../config/config-types.js';

export interface BannerFacts {
  version: string;
  /** Where the HTTP server listens, as a URL (a wildcard host shown as the advertised SIP host). */
  httpUrl: string;
  /** The base URL events and links name, when it is not `httpUrl`. */
  publicUrl?: string;
  sip: { host: string; port: number; protocols: readonly string[] };
  /** SIP over WebSocket's path on the HTTP (ws) and HTTPS (wss) ports; the SIP TLS and HTTPS ports when TLS is on. */
  sipWsPath?: string;
  sipTlsPort?: number;
  httpsPort?: number;
  dataDir: string;
  configFile?: string;
  config?: ProvisioningConfig;
}

export function startBanner(f: BannerFacts): string {
  const base = f.httpUrl.replace(/\/+$/, '');
  const ws = base.replace(/^http/, 'ws');
  const lines = [
    '',
    `Ringside ${f.version} is running`,
    `  HTTP API     ${base}/          (REST; health at ${base}/health)`,
    `  WebSocket    ${ws}/            (RealTime events: docs/realtime-api.md)`,
    ...(f.publicUrl !== undefined && f.publicUrl.replace(/\/+$/, '') !== base ? [`  Public URL   ${f.publicUrl}   (named in events and links)`] : []),
    `  SIP          sip:${f.sip.host}:${f.sip.port} (${f.sip.protocols.join(', ')})`,
    ...(f.sipTlsPort !== undefined ? [`  SIP over TLS sip:${f.sip.host}:${f.sipTlsPort};transport=tls`] : []),
    ...(f.sipWsPath !== undefined ? [`  SIP over WS  ${ws}${f.sipWsPath}         (subprotocol sip: browser phones)`] : []),
    ...(f.sipWsPath !== undefined && f.httpsPort !== undefined ? [`  SIP over WSS wss://${new URL(base).hostname}:${f.httpsPort}${f.sipWsPath}`] : []),
    `  Data         ${f.dataDir}`,
  ];
  if (f.config && f.configFile !== undefined && basename(f.configFile) === 'demo.yaml') {
    lines.push(`  Demo logins (${f.configFile}): e-mail / password, and the SIP phone's user / password`);
    for (const a of f.config.accounts)
      for (const u of a.users) lines.push(`    ${u.email.padEnd(18)} ${(u.password ?? '(hashed)').padEnd(12)} ${u.role.padEnd(8)}${u.sip ? ` SIP ${u.sip.username} / ${u.sip.password}` : ''}`);
    lines.push('  Try: npx ringside demo --url ' + base + ` --sip ${f.sip.host}:${f.sip.port}   (docs/demo.md)`);
  }
  lines.push('  Logs below (--log-format json for machines). Stop with Ctrl-C.', '');
  return lines.join('\n') + '\n';
}
