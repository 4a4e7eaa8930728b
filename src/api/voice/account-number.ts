/** A `from` the voice API takes (calls, conferences, messages: spec bandwidth §3.2, §3.8, §3.10): one of the
 *  account's numbers, else 400 `invalid-from-number` naming it. */
import type { Store } from '../../store/store.js';
import { VoiceApiError } from './voice-error.js';

export async function accountNumber(store: Store, accountId: string, from: string): Promise<void> {
  const number = await store.findNumber(from);
  if (!number || number.accountId !== accountId) throw new VoiceApiError(400, 'bad-request', 'invalid-from-number', `'from' ${from} is not one of this account's numbers`, [{ name: 'from', value: from }]);
}
