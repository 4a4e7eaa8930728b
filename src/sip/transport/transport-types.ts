import type { SipMessage } from '../message/sip-message.js';

export type TransportProtocol = 'udp' | 'tcp';

/** Where a message came from or goes to. `connectionId` names the TCP connection a message arrived on,
 *  so a response can go back on it (RFC 3261 §18.2.2). */
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
  };
}

/** `host:port` key; IPv6 hosts are bracketed so the key is unambiguous. */
export function addressKey(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${h}:${port}`;
}
