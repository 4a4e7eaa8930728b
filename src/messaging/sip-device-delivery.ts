/**
 * Inbound texts to a user's registered devices: one SIP MESSAGE per live contact (RFC 3428 §4), sent to
 * where the device registered from (NAT friendly). Devices that refuse MESSAGE (405/415) are skipped.
 */
import type { SipStack } from '../sip/sip-stack.js';
import type { Registrar } from '../sip/registrar/registrar.js';
import type { UserRecord } from '../store/store.js';
import type { DeviceTextDelivery } from './messaging-service.js';

export class SipDeviceDelivery implements DeviceTextDelivery {
  constructor(
    private readonly stack: SipStack,
    private readonly registrar: Registrar,
  ) {}

  async deliver(user: UserRecord, text: { from: string; to: string; body: string }): Promise<number> {
    const contacts = await this.registrar.lookup(String(user.id));
    const results = await Promise.all(
      contacts.map((c) =>
        this.stack
          .request('MESSAGE', { to: c.uri, from: `sip:${text.from}@${this.stack.publicHost}`, destination: c.destination, ...(c.route ? { headers: { route: c.route.join(', ') } } : {}), body: text.body, contentType: 'text/plain;charset=UTF-8' })
          .then((r) => r.status >= 200 && r.status < 300, () => false),
      ),
    );
    return results.filter(Boolean).length;
  }
}
