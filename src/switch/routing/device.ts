/**
 * Calls from a user's device (docs/switch.md, "From a device"): the INVITE is digest-authenticated exactly
 * like REGISTER (RFC 3261 §22.4, RFC 8760: same realm and algorithms); then a feature code (`*50`–`*52`,
 * feature-codes.ts) sets the user's agent presence, 1–6 digits are an internal call to the user with that
 * extension (else PIN), an external number an outgoing call through the account's trunk, anything else 404.
 */
import { DigestAuthenticator, type DigestAlgorithm, type IncomingInvite, type SipCredentialLookup } from '../../sip/index.js';
import { newCallId } from '../../util/ids.js';
import { classifyDialled, outgoingCallerId, uriUser } from '../dial-plan.js';
import type { CallPlan } from '../call-plan.js';
import { isFeatureCode, type FeatureCodePlan } from './feature-codes.js';
import { accountNumbers, deviceParty, deviceTargets, lineOfNumber, lineRef, presenting, trunkOf, trunkTarget, userByExtensionOrPin, userRef, type RoutingDeps } from './targets.js';

/** The SIP service's digest settings: devices authenticate INVITE exactly as they do REGISTER. */
export interface DeviceAuth {
  realm: string;
  algorithms: DigestAlgorithm[];
  credentials: SipCredentialLookup;
}

export class DeviceRouting {
  readonly #deps: RoutingDeps;
  readonly #credentials: SipCredentialLookup;
  readonly #auth: DigestAuthenticator;

  constructor(deps: RoutingDeps, auth: DeviceAuth) {
    this.#deps = deps;
    this.#credentials = auth.credentials;
    this.#auth = new DigestAuthenticator({ realm: auth.realm, algorithms: auth.algorithms });
  }

  /** The plan of a call from a device, or of a feature code it dialled; undefined when it was refused here
   *  (401/403/404/503). */
  async plan(invite: IncomingInvite): Promise<CallPlan | FeatureCodePlan | undefined> {
    const req = invite.request;
    const { store, logger: log } = this.#deps;
    // No toll fraud: only provisioned users with the right digest place calls (RFC 3261 §22.4).
    const auth = await this.#auth.verify(req, this.#credentials, invite.origin);
    if (!auth.ok) {
      if (auth.reason === 'missing' || auth.reason === 'stale' || auth.reason === 'replay') {
        // RFC 8760 §2.4: one challenge per algorithm. createResponse appends each array value as its own
        // header, but IncomingInvite.refuse's type only admits strings (reported to the SIP owners).
        const challenge = { [this.#auth.challengeHeader]: this.#auth.challenge(auth.reason === 'stale') } as unknown as Record<string, string>;
        invite.refuse(this.#auth.challengeStatus, { headers: challenge });
      } else {
        log.warn({ sipCallId: req.callId, source: invite.origin, reason: auth.reason }, 'INVITE with bad credentials refused');
        invite.refuse(403, { reason: auth.reason === 'rate-limited' ? 'Too Many Failed Attempts' : 'Forbidden' });
      }
      return undefined;
    }
    const user = await store.getUser(Number(auth.userId));
    const account = user ? await store.getAccount(user.accountId) : undefined;
    if (!user || !account) return void invite.refuse(403);
    const caller = deviceParty(user);
    const me = userRef(user);
    const dialled = classifyDialled(uriUser(req.requestUri.user) ?? '');
    const ringMs = this.#deps.outgoingRingMs;
    if (dialled.kind === 'invalid') {
      log.info({ sipCallId: req.callId, dialled: dialled.raw }, 'device dialled something that is no number: 404');
      return void invite.refuse(404);
    }
    if (dialled.kind === 'extension' && isFeatureCode(dialled.digits)) return { featureCode: dialled.digits, user };
    if (dialled.kind === 'extension') {
      const callee = await userByExtensionOrPin(this.#deps, account, dialled.digits);
      if (!callee) {
        log.info({ sipCallId: req.callId, dialled: dialled.digits }, 'no user with that extension or PIN: 404');
        return void invite.refuse(404);
      }
      const from = presenting(this.#deps, caller.number, user.name);
      const targets = callee.available ? await deviceTargets(this.#deps, callee, from) : [];
      return {
        start: { accountId: account.id, accountcode: account.accountcode, kind: 'internal', callId: newCallId(), from: caller, to: deviceParty(callee), userIds: [me.id, String(callee.id)], user: me },
        caller: { party: caller, user: me },
        rounds: targets.length > 0 ? [{ targets, timeoutMs: ringMs }] : [],
        localParty: { kind: 'local', number: 'local' },
        passThrough: true,
        timeLimitMs: account.limits.outgoingCallSeconds * 1000,
      };
    }
    const callerId = outgoingCallerId(user, await accountNumbers(this.#deps, account), account.defaultCallerId) ?? caller.number;
    const trunk = await trunkOf(this.#deps, account);
    if (!trunk) {
      log.warn({ sipCallId: req.callId, accountId: account.id }, 'outgoing call but the account has no trunk: 503');
      return void invite.refuse(503, { reason: 'No Trunk' });
    }
    const line = await lineOfNumber(this.#deps, account, callerId);
    return {
      start: {
        accountId: account.id,
        accountcode: account.accountcode,
        kind: 'outbound',
        callId: newCallId(),
        from: caller,
        to: { kind: 'phone', number: dialled.number },
        ...(line ? { line: lineRef(line) } : {}),
        userIds: [me.id],
        user: me,
      },
      caller: { party: caller, user: me },
      rounds: [{ targets: [trunkTarget(this.#deps, dialled.number, callerId, trunk)], timeoutMs: ringMs }],
      localParty: { kind: 'local', number: callerId },
      passThrough: true,
      // The line of the number presented decides recording, as for inbound calls on it.
      ...(line?.record ? { record: true } : {}),
      timeLimitMs: account.limits.outgoingCallSeconds * 1000,
    };
  }
}
