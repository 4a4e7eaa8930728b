import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMessageBody, parseMessageBody } from './mime-multipart.js';

test('a built MMS body parses back to the same text and bytes', () => {
  const img = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
  const built = buildMessageBody('héllo', [{ contentType: 'image/png', data: img, filename: 'a "b".png' }, { contentType: 'text/vcard', data: Buffer.from('BEGIN:VCARD') }]);
  assert.match(built.contentType, /^multipart\/mixed;boundary="ringside-/);
  const parsed = parseMessageBody(built.contentType, built.body);
  assert.equal(parsed.text, 'héllo');
  assert.equal(parsed.parts.length, 2);
  assert.deepEqual(parsed.parts[0]!.data, img);
  assert.equal(parsed.parts[0]!.filename, 'a _b_.png');
  assert.equal(parsed.parts[1]!.contentType, 'text/vcard');
});

test('plain text, LF line ends, unnamed text parts and SMIL are handled as carriers send them', () => {
  assert.deepEqual(parseMessageBody('text/plain;charset=UTF-8', Buffer.from('STOP')), { text: 'STOP', parts: [] });
  assert.deepEqual(parseMessageBody(undefined, Buffer.from('hi')), { text: 'hi', parts: [] });
  const body = ['--xyz', 'Content-Type: application/smil', '', '<smil/>', '--xyz', 'Content-Type: text/plain', '', 'look', '--xyz', 'Content-Type: image/jpeg; name=cat.jpg', '', 'JPEGDATA', '--xyz--', ''].join('\n');
  const p = parseMessageBody('multipart/related; type="application/smil"; boundary=xyz', Buffer.from(body));
  assert.equal(p.text, 'look');
  assert.deepEqual(p.parts.map((x) => [x.contentType, x.filename, x.data.toString()]), [['image/jpeg; name=cat.jpg', 'cat.jpg', 'JPEGDATA']]);
});

test('broken multipart bodies are refused, not half-read', () => {
  assert.throws(() => parseMessageBody('multipart/mixed', Buffer.from('x')), /boundary parameter/);
  assert.throws(() => parseMessageBody('multipart/mixed; boundary=q', Buffer.from('no delimiter')), /without its boundary/);
  assert.throws(() => parseMessageBody('multipart/mixed; boundary=q', Buffer.from('--q\r\nContent-Type: text/plain\r\n\r\nunclosed')), /not closed/);
});
