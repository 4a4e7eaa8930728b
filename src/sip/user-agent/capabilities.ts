/**
 * What this user agent can do, as it tells peers: the methods it accepts (Allow) and the option tags it
 * supports (Supported, RFC 3261 §19.2; a Require naming anything else gets 420, §8.2.2.3). Sent on INVITE
 * requests, on 2xx answers to INVITE (§13.3.1.4: they SHOULD carry both) and on OPTIONS answers.
 */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, UPDATE, REFER, NOTIFY, REGISTER';

/** Not `replaces` (RFC 3891): the switch does no attended transfer, so it must not be promised. */
export const SUPPORTED = new Set<string>(['norefersub']);

export const SUPPORTED_HEADER = [...SUPPORTED].join(', ');
