/**
 * Pure dial-plan rules of the switch: what a dialled string means, which caller ID an outgoing call
 * presents, and whether a request comes from a carrier trunk. No I/O: the switch feeds them store records.
 */
import type { TrunkRecord, UserRecord } from '../store/store.js';

/**
 * A number as the account and the carrier know it: E.164 (`+15551234567`). Ten digits are a North
 * American number (spec realtime §5.4 "10-digit or E.164"), eleven starting with 1 too; carriers often
 * send E.164 without the `+`. Returns undefined for anything else (extensions, PINs, junk).
 */
export function toE164(raw: string): string | undefined {
  const s = raw.trim().replace(/[\s().-]/g, '');
  if (/^\+[1-9][0-9]{6,14}$/.test(s)) return s;
  if (/^[2-9][0-9]{9}$/.test(s)) return `+1${s}`;
  if (/^1[2-9][0-9]{9}$/.test(s)) return `+${s}`;
  return undefined;
}

/** A number a carrier sends in a Request-URI or From (E.164 with or without `+`, or 10 digits). */
export function carrierNumber(raw: string): string {
  return toE164(raw) ?? (/^[1-9][0-9]{7,14}$/.test(raw) ? `+${raw}` : raw);
}

export type Dialled =
  | { kind: 'external'; number: string }
  | { kind: 'extension'; digits: string }
  | { kind: 'invalid'; raw: string };

/**
 * What a device dialled (the Request-URI user of its INVITE). Short digit strings are internal (an
 * extension or a user PIN, resolved by the switch); E.164 or 10/11-digit North American numbers go out
 * through the trunk. Leading `00` is taken as an international prefix.
 */
export function classifyDialled(raw: string): Dialled {
  const s = raw.trim().replace(/[\s().-]/g, '');
  if (/^[0-9*#]{1,6}$/.test(s)) return { kind: 'extension', digits: s };
  const intl = /^00([1-9][0-9]{6,14})$/.exec(s);
  if (intl) return { kind: 'external', number: `+${intl[1]}` };
  const e164 = toE164(s);
  if (e164) return { kind: 'external', number: e164 };
  return { kind: 'invalid', raw };
}

/**
 * Caller ID of an outgoing call from a user's device (spec realtime §5.3): the user's outgoing caller ID
 * when set; else the user's own number when it is one of the account's numbers (the carrier would refuse
 * a number the account does not own); else the account's default caller ID; else the first account number.
 */
export function outgoingCallerId(user: Pick<UserRecord, 'outgoingCallerId' | 'phoneNumber'>, accountNumbers: readonly string[], defaultCallerId: string | undefined): string | undefined {
  if (user.outgoingCallerId) return user.outgoingCallerId;
  if (user.phoneNumber && accountNumbers.includes(user.phoneNumber)) return user.phoneNumber;
  return defaultCallerId ?? accountNumbers[0];
}

/** The trunk a request came from, by its source address (`inboundAddresses`, else `host`). */
export function trunkForSource(trunks: readonly TrunkRecord[], host: string): TrunkRecord | undefined {
  return trunks.find((t) => (t.inboundAddresses.length > 0 ? t.inboundAddresses : [t.host]).includes(host));
}

/** Decodes a SIP URI user part (%-escapes); undefined when absent or malformed. */
export function uriUser(user: string | undefined): string | undefined {
  if (user === undefined) return undefined;
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}
