import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipStatusForMediaError } from './media-sip-status.js';
import { CodecMismatchError, NotFoundError, PortsExhaustedError, SdpError, UnsupportedFormatError } from '../media/errors.js';
import { createAnswer, type LocalMedia } from '../media/sdp-negotiator.js';
import { deserializeError, serializeError } from '../media/media-rpc.js';

const local: LocalMedia = { address: '192.0.2.10', port: 20000, sessionId: '42', sessionVersion: 1 };
const offer = (m: string) => ['v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', m, 'a=rtpmap:101 telephone-event/8000'].join('\r\n') + '\r\n';

test('an offer with no codec in common is answered 488 (RFC 3264 §6)', () => {
  assert.throws(
    () => createAnswer(offer('m=audio 4000 RTP/AVP 18 9 101'), local),
    (e: unknown) => e instanceof CodecMismatchError && sipStatusForMediaError(e) === 488,
  );
});

test('media errors map to the status the switch answers with; anything else is the caller\'s default', () => {
  assert.equal(sipStatusForMediaError(new CodecMismatchError(['G729'], ['PCMU'])), 488);
  assert.equal(sipStatusForMediaError(new SdpError('no audio stream')), 488);
  assert.equal(sipStatusForMediaError(new PortsExhaustedError(10000, 10010)), 503);
  assert.equal(sipStatusForMediaError(new NotFoundError('no endpoint')), undefined);
  assert.equal(sipStatusForMediaError(new UnsupportedFormatError('not DTMF')), undefined, 'outside a DTMF INFO');
  assert.equal(sipStatusForMediaError(new Error('boom')), undefined);
  assert.equal(sipStatusForMediaError('not an error'), undefined);
});

test('a DTMF INFO: 415 for a body type the engine does not read, nothing for a DTMF body without a digit', () => {
  const err = new UnsupportedFormatError('no digit');
  assert.equal(sipStatusForMediaError(err, { dtmfInfo: { contentType: 'application/dtmf-fancy' } }), 415);
  assert.equal(sipStatusForMediaError(err, { dtmfInfo: { contentType: 'application/dtmf-relay' } }), undefined);
  assert.equal(sipStatusForMediaError(err, { dtmfInfo: { contentType: 'Application/DTMF; charset=utf-8' } }), undefined);
});

test('across the media worker boundary: a rebuilt error, and one known only by its name', () => {
  const rebuilt = deserializeError(serializeError(new PortsExhaustedError(10000, 10010)));
  assert.ok(rebuilt instanceof PortsExhaustedError);
  assert.equal(sipStatusForMediaError(rebuilt), 503);
  const named = Object.assign(new Error('no common audio codec'), { name: 'CodecMismatchError' });
  assert.equal(sipStatusForMediaError(named), 488);
});
