import { randomBytes } from 'node:crypto';
import type { SipMessage } from '../message/sip-message.js';

/** `tls` is TCP with TLS (RFC 3261 §26.2.1); `ws`/`wss` are WebSocket without/with TLS (RFC 7118). */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** Every protocol but UDP runs over a connection: responses and requests to a registered contact go back
 *  on the connection a request came on (RFC 3261 §18.2.2, RFC 7118 §5). */
export function isStream(protocol: TransportProtocol): boolean {
  return protocol !== 'udp';
}

/** The Via transport token (RFC 3261 §20.42, RFC 7118 §5). */
export function viaTransport(protocol: TransportProtocol): string {
  return protocol.toUpperCase();
}

/** Where a message came from or goes to. `connectionId` names the connection (TCP, TLS or WebSocket) a
 *  message arrived on, so a response can go back on it (RFC 3261 §18.2.2); ids are unique per process
 *  run, so one persisted with a binding never names a connection of a later run. */
export interface Destination {
  protocol: TransportProtocol;
  host: string;
  port: number;
  connectionId?: string;
}

/** A message as it goes on the wire: its bytes and where they go. Transactions keep this, not the message,
 *  to send it again (§17): a lingering transaction holds a few hundred bytes instead of a parsed message. */
export interface Outbound {
  data: Buffer;
  dest: Destination;
}

export interface InboundMessage {
  message: SipMessage;
  source: Destination;
}

/** Counters a supervisor can scrape: malformed input is answered (400) or dropped, never silent. */
export interface TransportCounters {
  received: number;
  sent: number;
  /** Messages that failed to parse (any transport). */
  malformed: number;
  /** Malformed requests answered with 400 (§21.4.1). */
  badRequestAnswered: number;
  /** Malformed messages dropped because they could not be answered (responses, or requests without the
   *  headers a response needs). */
  dropped: number;
  /** Responses whose top Via was not ours, dropped (§18.1.2). */
  misrouted: number;
  tcpConnectionsOpened: number;
  tcpConnectionsClosed: number;
  /** TCP connections closed because their byte stream was unframeable or over the size limit. */
  tcpFramingErrors: number;
  tlsConnectionsOpened: number;
  tlsConnectionsClosed: number;
  /** TLS handshakes that failed (bad client, wrong protocol on the port). */
  tlsHandshakeErrors: number;
  wsConnectionsOpened: number;
  wsConnectionsClosed: number;
  /** WebSocket upgrades on the SIP path refused (no `sip` subprotocol, RFC 7118 §4). */
  wsUpgradesRefused: number;
}

export function newCounters(): TransportCounters {
  return {
    received: 0,
    sent: 0,
    malformed: 0,
    badRequestAnswered: 0,
    dropped: 0,
    misrouted: 0,
    tcpConnectionsOpened: 0,
    tcpConnectionsClosed: 0,
    tcpFramingErrors: 0,
    tlsConnectionsOpened: 0,
    tlsConnectionsClosed: 0,
    tlsHandshakeErrors: 0,
    wsConnectionsOpened: 0,
    wsConnectionsClosed: 0,
    wsUpgradesRefused: 0,
  };
}

/** `host:port` key; IPv6 hosts are bracketed so the key is unambiguous. */
export function addressKey(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${h}:${port}`;
}

/** This process run's mark in connection ids: an id persisted with a binding (a WebSocket client's) must
 *  never name a connection of a later run. */
const RUN = randomBytes(4).toString('hex');
let connectionSeq = 0;

/** A connection id unique to this process run: `ws-1a2b3c4d-17`. */
export function newConnectionId(protocol: TransportProtocol): string {
  return `${protocol}-${RUN}-${++connectionSeq}`;
}
