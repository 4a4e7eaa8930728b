/**
 * A Ringside node of the loopback cluster behind Kamailio (support/kamailio.ts): `ringside serve` as a child
 * process on its own address at SIP_PORT, HTTP on that address too (one --host for both).
 */
import { startRingside, type RunningRingside } from '../../support/ringside-process.js';
import { SIP_PORT } from './kamailio.js';

type T = { after(fn: () => unknown): void };

export interface ClusterNodeOptions {
  config: string;
  host: string;
  /** RTP port range, distinct per node ("30000-30999"). */
  rtpPorts: string;
  /** More flags (--store, --log, --node-id …). */
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/** The command line of a node: the same again restarts it under the same id. */
export function clusterNodeArgs(o: ClusterNodeOptions): string[] {
  return ['--config', o.config, '--host', o.host, '--sip-port', String(SIP_PORT), '--sip-address', o.host, '--rtp-ports', o.rtpPorts, ...(o.args ?? [])];
}

export function startClusterNode(t: T, o: ClusterNodeOptions): Promise<RunningRingside> {
  return startRingside(t, clusterNodeArgs(o), { timeoutMs: 30_000, ...(o.env ? { env: o.env } : {}) });
}

/** Session ids of the calls a node took (its "call started" lines; switch-session.ts binds `sessionId`). */
export const sessionsOn = (n: RunningRingside): string[] => n.logs.filter((l) => l.msg === 'call started').map((l) => String(l.sessionId));

/** `http://host:port` of a node's HTTP API. */
export const nodeUrl = (n: RunningRingside, host: string, path = ''): string => `http://${host}:${n.httpPort}${path}`;
