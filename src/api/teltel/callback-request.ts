/**
 * A callback request (spec teltel §7) checked against the account, before the switch is asked: each leg a
 * SIP device number or a phone number, each caller ID one the account owns. Every problem is collected,
 * so a client learns all of them at once (one `errors[]` entry each). Pure but for the two lookups.
 */
import { classifyDialled, toE164 } from '../../switch/dial-plan.js';
import { invalidField, type TeltelProblem } from './teltel-error.js';

export interface CallbackBody {
  leg_1_phone_number: string;
  leg_1_caller_id: string;
  leg_2_phone_number: string;
  leg_2_caller_id: string;
  trace_id?: string;
}

/** A leg or caller ID as the switch takes it: an extension (SIP device) or an E.164 phone number. */
export type CallbackNumber = { kind: 'sip'; number: string } | { kind: 'phone'; number: string };

/**
 * spec teltel writes numbers as E.164 without `+` (`37126666666`). Ringside reads: 1–6 digits a SIP device
 * (extension, as every dial plan of Ringside does, dial-plan.ts); `+` and E.164; `00` and the international
 * number; 10 digits a North American number (dial-plan.ts, as the realtime originate); 7–9 or 11–15 digits
 * E.164 without its `+`. Anything else: undefined.
 */
export function callbackNumber(raw: string): CallbackNumber | undefined {
  const s = raw.trim();
  const dialled = classifyDialled(s);
  if (dialled.kind === 'extension') return /^[0-9]+$/.test(dialled.digits) ? { kind: 'sip', number: dialled.digits } : undefined;
  if (dialled.kind === 'external') return { kind: 'phone', number: dialled.number };
  if (/^[0-9]{10}$/.test(s)) return undefined;
  const e164 = /^[1-9][0-9]{6,14}$/.test(s) ? toE164(`+${s}`) : undefined;
  return e164 ? { kind: 'phone', number: e164 } : undefined;
}

/** What the check needs to know of the account. */
export interface CallbackAccount {
  /** The account's numbers, E.164. */
  numbers: readonly string[];
  /** Whether a user of the account has this extension. */
  hasExtension(digits: string): Promise<boolean>;
}

export interface CheckedCallback {
  leg1: CallbackNumber;
  leg2: CallbackNumber;
  leg1CallerId: string;
  leg2CallerId: string;
}

const LEG_WORDS = 'must be a SIP device number (an extension, 1–6 digits) or a phone number (E.164, with or without +)';

/** The request's legs and caller IDs as the switch takes them, or every problem with them. */
export async function checkCallback(body: CallbackBody, account: CallbackAccount): Promise<{ ok: true; value: CheckedCallback } | { ok: false; problems: TeltelProblem[] }> {
  const problems: TeltelProblem[] = [];
  const legs = ([1, 2] as const).map((n) => {
    const field = `leg_${n}_phone_number` as const;
    const leg = callbackNumber(body[field]);
    if (!leg) problems.push(invalidField(field, `'${body[field]}' ${LEG_WORDS}`));
    return leg;
  });
  const callerIds: string[] = [];
  for (const n of [1, 2] as const) {
    const field = `leg_${n}_caller_id` as const;
    const raw = body[field];
    const id = callbackNumber(raw);
    const leg = legs[n - 1];
    const other = legs[2 - n];
    callerIds.push(id?.number ?? raw);
    if (!id) {
      problems.push(invalidField(field, `'${raw}' must be one of the account's numbers (E.164) or extensions`));
      continue;
    }
    // spec teltel §7 "Caller IDs must belong to the account". What a phone sees goes out through the trunk:
    // only an account number. A SIP device may also be shown an extension of the account, or the number of
    // the party it will be connected to (spec teltel §5.6 shows the operator the contact's number).
    const owned = id.kind === 'phone' ? account.numbers.includes(id.number) : await account.hasExtension(id.number);
    // An invalid other leg has its own entry; whether a phone number here is meant to be it cannot be told.
    const otherParty = other === undefined ? id.kind === 'phone' : other.number === id.number;
    if (leg?.kind === 'phone' && id.kind !== 'phone') problems.push(invalidField(field, `'${raw}' is an extension; a phone number (leg ${n}) can only be shown one of the account's numbers`));
    else if (leg?.kind === 'phone' && !owned) problems.push(invalidField(field, `'${raw}' is not a number of this account`));
    else if (leg?.kind !== 'phone' && !owned && !otherParty) problems.push(invalidField(field, `'${raw}' is neither a number or extension of this account nor leg ${3 - n}'s number`));
  }
  if (problems.length > 0 || !legs[0] || !legs[1]) return { ok: false, problems };
  return { ok: true, value: { leg1: legs[0], leg2: legs[1], leg1CallerId: callerIds[0]!, leg2CallerId: callerIds[1]! } };
}
