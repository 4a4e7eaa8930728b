/**
 * How a session's kind shapes its calls: which call it starts with (spec realtime §3.2: dialer sessions
 * are the contact's outgoing call; application sessions are decided by their first leg) and when that call
 * counts as answered. Shared by the realtime projection and the call reports, which must agree.
 */
import type { SessionKind } from '../events/model/facts.js';

export type CallKind = 'incoming' | 'outgoing' | 'internal' | 'originate';

export const CALL_KIND_OF_SESSION: Partial<Record<SessionKind, CallKind>> = {
  inbound: 'incoming',
  outbound: 'outgoing',
  internal: 'internal',
  originate: 'originate',
  dialer: 'outgoing',
};

/** Sessions whose call is answered when a leg other than the caller's joins the conversation. */
export const ANSWERED_BY_JOIN: ReadonlySet<SessionKind> = new Set(['inbound', 'outbound', 'internal']);
