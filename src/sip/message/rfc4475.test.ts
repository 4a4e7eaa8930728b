import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TORTURE } from '../../../test/sip/fixtures/rfc4475-messages.js';
import { parseMessage } from './parser.js';
import { serializeMessage } from './serializer.js';
import { SipParseError } from '../errors.js';

// RFC 4475: one test per torture message. Valid ones must parse (and survive a serialize/parse round trip);
// invalid ones must be rejected with SipParseError.
for (const m of TORTURE) {
  test(`RFC 4475 §${m.section} ${m.id} is ${m.valid ? 'accepted' : 'rejected'}`, () => {
    if (m.valid) {
      const msg = parseMessage(m.data);
      const again = parseMessage(serializeMessage(msg));
      assert.equal(again.kind, msg.kind);
      assert.equal(again.callId, msg.callId);
      assert.deepEqual(again.body, msg.body);
    } else {
      assert.throws(() => parseMessage(m.data), SipParseError);
    }
  });
}

test('RFC 4475 details: the parsed values are the intended ones', () => {
  const get = (id: string) => parseMessage(TORTURE.find((m) => m.id === id)!.data);
  const wsinv = get('wsinv');
  assert.equal(wsinv.kind, 'request');
  assert.equal(wsinv.headers.get('max-forwards'), '0068');
  assert.equal(wsinv.cseq.seq, 9);
  assert.equal(wsinv.from.displayName, 'J Rosenberg \\"');
  assert.equal(wsinv.fromTag, '98asjd8');
  assert.equal(wsinv.toTag, '1918181833n');
  assert.equal(wsinv.vias.length, 3);
  assert.equal(wsinv.vias[2]!.params.get('branch'), 'z9hG4bK30239');
  assert.equal(wsinv.contacts[0]!.params.get('q'), '0.33');
  assert.equal(wsinv.body.length, 150);
  const dbl = get('dblreq');
  assert.equal(dbl.kind === 'request' && dbl.method, 'REGISTER');
  assert.equal(dbl.body.length, 0);
  const esc02 = get('esc02');
  assert.equal(esc02.kind === 'request' && esc02.method, 'RE%47IST%45R');
  assert.equal(esc02.headers.getAll('contact').length, 2, 'C%6Fntact is a different header');
  const noreason = get('noreason');
  assert.equal(noreason.kind === 'response' && noreason.reason, '');
  const mpart = get('mpart01');
  assert.ok(mpart.body.includes(0));
});
