import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keywordAction } from './opt-out-keywords.js';
import { checkText, normalizeNumber, TEXT_LIMITS } from './text-limits.js';
import { MmsMediaStore } from './mms-media-store.js';
import { MessagingError } from './errors.js';

test('opt-out and opt-in keywords ignore case and surrounding whitespace, and nothing else', () => {
  for (const k of ['STOP', 'stop', '  Stop\n', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit']) assert.equal(keywordAction(k)?.action, 'opt-out', k);
  for (const k of ['START', ' unstop ']) assert.equal(keywordAction(k)?.action, 'opt-in', k);
  for (const k of ['please stop', 'STOP!', 'S TOP', '', 'stopping']) assert.equal(keywordAction(k), undefined, k);
  assert.deepEqual(keywordAction(' quit '), { action: 'opt-out', keyword: 'QUIT' });
});

test('numbers: 10 digits are North American, E.164 is kept, anything else is refused', () => {
  assert.equal(normalizeNumber('5551234567'), '+15551234567');
  assert.equal(normalizeNumber('(555) 123-4567'), '+15551234567');
  assert.equal(normalizeNumber('15551234567'), '+15551234567');
  assert.equal(normalizeNumber('+442071234567'), '+442071234567');
  for (const bad of ['123', 'abc', '+0123456', '555123456', '']) assert.equal(normalizeNumber(bad), undefined, bad);
});

test('limits refuse long bodies, too many or too large parts and unlisted media types, naming the rule', () => {
  const err = (f: () => void) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof MessagingError);
      return e;
    }
    assert.fail('expected a MessagingError');
  };
  assert.equal(err(() => checkText('x'.repeat(TEXT_LIMITS.maxBodyChars + 1), [])).code, 'body_too_long');
  checkText('é'.repeat(TEXT_LIMITS.maxBodyChars), []);
  const png = { contentType: 'image/png', data: Buffer.alloc(10) };
  assert.equal(err(() => checkText('', Array(TEXT_LIMITS.maxParts + 1).fill(png))).code, 'too_many_parts');
  assert.equal(err(() => checkText('', [{ contentType: 'image/png', data: Buffer.alloc(TEXT_LIMITS.maxPartBytes + 1) }])).code, 'part_too_large');
  const e = err(() => checkText('', [{ contentType: 'application/x-msdownload', data: Buffer.alloc(1), filename: 'a.exe' }]));
  assert.equal(e.code, 'unsupported_media_type');
  assert.match(e.message, /part 1 \(a\.exe\): content type 'application\/x-msdownload'/);
  checkText('hi', [{ contentType: 'image/JPEG; name=x.jpg', data: Buffer.alloc(1) }]);
});

test('media store: parts land whole under safe unique names and read back byte for byte', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-mms-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new MmsMediaStore(dir);
  const a = Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]);
  const comps = store.save('acc', '1.2.3', [
    { contentType: 'image/jpeg', data: a, filename: '../../etc/passwd' },
    { contentType: 'image/jpeg', data: a, filename: 'passwd' },
    { contentType: 'text/plain', data: Buffer.from('hi') },
  ]);
  assert.deepEqual(comps.map((c) => c.filename), ['passwd', 'passwd-2', 'part-3.txt']);
  assert.deepEqual(readdirSync(join(dir, 'acc')), ['1.2.3']);
  assert.deepEqual(readFileSync(join(dir, 'acc', '1.2.3', 'passwd')), a);
  assert.equal(store.open('acc', '1.2.3', '../x'), undefined);
  assert.equal(store.open('acc', '1.2.3', 'nope'), undefined);
  const opened = store.open('acc', '1.2.3', 'part-3.txt');
  assert.equal(opened?.size, 2);
  opened?.stream.destroy();
  assert.throws(() => store.save('acc', '../evil', [{ contentType: 'text/plain', data: Buffer.from('x') }]), /unsafe/);
  store.discard('acc', '1.2.3');
  assert.deepEqual(readdirSync(join(dir, 'acc')), []);
});
