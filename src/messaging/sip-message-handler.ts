/**
 * Out-of-dialog SIP MESSAGE (RFC 3428): from a carrier trunk it is an inbound text for one of our numbers;
 * from anyone else it must be a provisioned device, digest-authenticated, sending a text out.
 */
import type { IncomingRequest } from '../sip/user-agent/incoming-request.js';
import type { DigestAuthenticator, SipCredentialLookup } from '../sip/auth/digest-authenticator.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log/logger.js';
import { MessagingError } from './errors.js';
import type { MessagingService } from './messaging-service.js';
import { parseMessageBody } from './mime-multipart.js';

/** SIP status for a refused text (RFC 3428 §7 and RFC 3261 §21). */
function sipStatus(e: MessagingError): number {
  switch (e.code) {
    case 'unknown_number':
    case 'bad_number':
      return 404;
    case 'sms_disabled':
    case 'opted_out':
      return 403;
    case 'unsupported_media_type':
      return 415;
    case 'carrier_failed':
      return 503;
    default:
      return e.statusCode === 413 ? 413 : 400;
  }
}

export function createMessageHandler(deps: {
  store: Store;
  messaging: MessagingService;
  authenticator: DigestAuthenticator;
  credentials: SipCredentialLookup;
  logger: Logger;
}): (incoming: IncomingRequest) => Promise<void> {
  const { store, messaging, authenticator, credentials, logger } = deps;
  return async (incoming) => {
    const req = incoming.request;
    let parsed;
    try {
      parsed = parseMessageBody(req.contentType, req.body);
    } catch (err) {
      incoming.respond(400, { reason: 'Bad Message Body' });
      logger.info({ err: (err as Error).message, source: incoming.source.host }, 'MESSAGE with an unreadable body');
      return;
    }
    const toUser = decodeURIComponent(req.to.uri.user ?? req.requestUri.user ?? '');
    try {
      const trunks = await store.listTrunks();
      const fromTrunk = trunks.some((t) => (t.inboundAddresses.length ? t.inboundAddresses : [t.host]).includes(incoming.origin));
      if (fromTrunk) {
        const fromUser = decodeURIComponent(req.from.uri.user ?? '');
        await messaging.receive({ from: fromUser, to: toUser, body: parsed.text, parts: parsed.parts, via: 'carrier-sip' });
        incoming.respond(200);
        return;
      }
      // A device: the same digest check as REGISTER (RFC 3428 §8 leaves it to the recipient's policy).
      const auth = await authenticator.verify(req, credentials, incoming.origin);
      if (!auth.ok) {
        if (auth.reason === 'rate-limited') incoming.respond(403, { reason: 'Too Many Failed Attempts' });
        else incoming.respond(authenticator.challengeStatus, { headers: { [authenticator.challengeHeader]: authenticator.challenge(auth.reason === 'stale') } });
        return;
      }
      const user = await store.getUser(Number(auth.userId));
      if (!user) return void incoming.respond(403);
      const sent = await messaging.send({ accountId: user.accountId, userId: user.id, to: toUser, body: parsed.text, parts: parsed.parts, via: 'device', requested: 'sms' });
      logger.info({ messageId: sent.id, userId: user.id, to: sent.to }, 'text sent from a device');
      incoming.respond(200);
    } catch (err) {
      if (err instanceof MessagingError) {
        incoming.respond(sipStatus(err), { reason: err.message.slice(0, 100).replace(/[\r\n]/g, ' ') });
        return;
      }
      logger.error({ err }, 'MESSAGE handling failed');
      incoming.respond(500);
    }
  };
}
