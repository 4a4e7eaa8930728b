/**
 * Texts out to a carrier as SIP MESSAGE (RFC 3428) over the account's trunk: text/plain for SMS, a
 * multipart/mixed body for MMS. A non-2xx final response is a refusal.
 */
import type { SipStack } from '../sip/sip-stack.js';
import type { Store } from '../store/store.js';
import { buildMessageBody } from './mime-multipart.js';
import type { TextCarrier } from './messaging-service.js';

export class SipTextCarrier implements TextCarrier {
  constructor(
    private readonly stack: SipStack,
    private readonly store: Store,
  ) {}

  async send(text: Parameters<TextCarrier['send']>[0]): Promise<void> {
    const trunk = text.trunk ? await this.store.getTrunk(text.trunk) : (await this.store.listTrunks())[0];
    if (!trunk) throw new Error('the account has no carrier trunk to send texts through');
    const { contentType, body } = buildMessageBody(text.body, text.parts);
    const res = await this.stack.request('MESSAGE', {
      to: `sip:${text.to}@${trunk.host}:${trunk.port}`,
      from: `sip:${text.from}@${this.stack.publicHost}`,
      body,
      contentType,
      transport: trunk.transport,
      ...(trunk.auth ? { credentials: { username: trunk.auth.username, password: trunk.auth.password } } : {}),
    });
    if (res.status < 200 || res.status >= 300) throw new Error(`${res.status} ${res.reason}`);
  }
}
