import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer } from './stream-framer.js';
import { SipLimitError, SipParseError } from '../errors.js';

const msg = (body: string) => `MESSAGE sip:a@b SIP/2.0\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

test('byte-by-byte (partial reads) yields one message', () => {
  const f = new StreamFramer();
  const data = Buffer.from(msg('hello'));
  const frames = [];
  for (const b of data) frames.push(...f.push(Buffer.from([b])));
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.kind === 'message' && frames[0]!.data.toString(), msg('hello'));
  assert.equal(f.pending, 0);
});

test('pipelined messages in one chunk, and a split across chunks', () => {
  const f = new StreamFramer();
  const all = Buffer.from(msg('one') + msg('two') + msg('three'));
  const first = f.push(all.subarray(0, 70));
  const rest = f.push(all.subarray(70));
  const bodies = [...first, ...rest].map((x) => (x.kind === 'message' ? x.data.toString().split('\r\n\r\n')[1] : 'ping'));
  assert.deepEqual(bodies, ['one', 'two', 'three']);
});

test('keep-alive CRLFCRLF is a ping (RFC 5626 §3.5.1); stray CRLFs are skipped', () => {
  const f = new StreamFramer();
  assert.deepEqual(f.push(Buffer.from('\r\n\r\n')), [{ kind: 'ping' }]);
  const out = f.push(Buffer.from('\r\n' + msg('x')));
  assert.equal(out.length, 1);
});

test('missing or duplicate Content-Length and oversize messages are errors', () => {
  assert.throws(() => new StreamFramer().push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n')), SipParseError);
  assert.throws(() => new StreamFramer().push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 1\r\n\r\nx')), SipParseError);
  assert.throws(() => new StreamFramer(1000).push(Buffer.from(msg('x'.repeat(2000)))), SipLimitError);
  assert.throws(() => new StreamFramer(1000).push(Buffer.alloc(1500, 'A')), SipLimitError);
});
