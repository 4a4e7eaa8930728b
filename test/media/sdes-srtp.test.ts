/**
 * SDES-SRTP (RFC 4568) against the media engine: a phone offers RTP/SAVP with its a=crypto key; the engine
 * answers with its own key; the phone (werift's SRTP contexts keyed from the two SDPs, standing for a TLS
 * desk phone) and a plain G.711 phone talk through the relay. Also: what must be refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaEngine } from '../../src/media/media-engine.js';
import { SdpError } from '../../src/media/errors.js';
import { decodeG711, encodeG711 } from '../../src/media/g711.js';
import { parseRtpPacket, serializeRtpPacket } from '../../src/media/rtp-packet.js';
import { SrtpProtector } from '../../src/media/webrtc/srtp-protector.js';
import { UdpPhone, waitFor } from './support/udp-phone.js';
import { frames, sine, tonePower } from './support/audio-analysis.js';

async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rs-sdes-'));
  const base = 30000 + 2 * Math.floor(Math.random() * 10000);
  const engine = new MediaEngine({ rtpPorts: `${base}-${base + 100}`, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir });
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const phone = await UdpPhone.open();
  t.after(async () => {
    socket.close();
    phone.close();
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { engine, socket, phone };
}

function savpOffer(port: number, keyParams: string, extra: string[] = []): string {
  return ['v=0', 'o=desk 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/SAVP 8 0`, ...extra, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${keyParams}`, 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
}

test('an RTP/SAVP offer with a=crypto is answered with our own key, and SRTP flows both ways', async (t) => {
  const { engine, socket, phone } = await setup(t);
  const key = randomBytes(16);
  const salt = randomBytes(14);
  const port = socket.address().port;
  const sec = await engine.openEndpoint('leg-desk', savpOffer(port, `inline:${Buffer.concat([key, salt]).toString('base64')}|2^31`));
  assert.deepEqual(sec.negotiated, { codec: 'PCMA', direction: 'sendrecv' });
  assert.match(sec.sdp, /^m=audio \d+ RTP\/SAVP 8\r$/m);
  const m = /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)\r$/m.exec(sec.sdp);
  assert.ok(m, 'the answer carries one a=crypto with tag 1 and an inline key');
  const theirs = Buffer.from(m[1]!, 'base64');
  assert.equal(theirs.length, 30);
  assert.notDeepEqual(theirs, Buffer.concat([key, salt]), 'the answer has its own key (RFC 4568 §7.1.2)');
  const srtp = new SrtpProtector({ localKey: key, localSalt: salt, remoteKey: theirs.subarray(0, 16), remoteSalt: theirs.subarray(16) });

  const plain = await engine.openEndpoint('leg-phone', phone.offer({ codecs: ['PCMU'], te: null }));
  engine.connect(sec.endpointId, plain.endpointId);

  const heard: Int16Array[] = [];
  let wireLooksPlain = 0;
  socket.on('message', (msg) => {
    const wire = Buffer.from(msg);
    const clear = srtp.unprotectRtp(msg);
    if (!clear) return;
    const p = parseRtpPacket(clear)!;
    if (wire.subarray(12, 12 + p.payload.length).equals(Buffer.from(p.payload))) wireLooksPlain++;
    assert.equal(wire.length, clear.length + 10, 'an 80-bit tag follows the payload');
    heard.push(decodeG711('PCMA', p.payload));
  });
  const toneA = frames(sine(1000, 2000)).map((f) => encodeG711('PCMA', f));
  let seq = 7;
  let ts = 999;
  const sending = (async () => {
    for (const payload of toneA) {
      const pkt = serializeRtpPacket({ payloadType: 8, marker: false, sequenceNumber: seq++, timestamp: (ts += 160), ssrc: 0xabcdef }, payload);
      socket.send(srtp.protectRtp(pkt), sec.port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const phoneSends = phone.stream(plain.port, 0, frames(sine(440, 2000)).map((f) => encodeG711('PCMU', f)));
  await waitFor(() => phone.received.length >= 60 && heard.length >= 60, 6000, 'audio both ways');
  await Promise.all([sending, phoneSends]);
  const atPhone = Int16Array.from(phone.received.slice(-50).flatMap((r) => [...decodeG711('PCMU', r.packet.payload)]));
  assert.ok(tonePower(atPhone, 1000) > 50 * tonePower(atPhone, 440), 'the SRTP phone\'s tone reaches the plain phone');
  const atDesk = Int16Array.from(heard.slice(-50).flatMap((f) => [...f]));
  assert.ok(tonePower(atDesk, 440) > 50 * tonePower(atDesk, 1000), 'the plain phone\'s tone reaches the SRTP phone');
  assert.equal(wireLooksPlain, 0, 'the payload on the wire is encrypted');
  // A packet with a broken tag is dropped, not relayed.
  const before = phone.received.length;
  const forged = srtp.protectRtp(serializeRtpPacket({ payloadType: 8, marker: false, sequenceNumber: seq++, timestamp: (ts += 160), ssrc: 0xabcdef }, toneA[0]!));
  forged[forged.length - 1]! ^= 0xff;
  socket.send(forged, sec.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(phone.received.length, before);
  assert.equal((await engine.endpointStats(sec.endpointId)).security, 'sdes');
});

test('SAVP offers Ringside cannot key are refused with SdpError (→ 488)', async (t) => {
  const { engine, socket } = await setup(t);
  const port = socket.address().port;
  const key = randomBytes(30).toString('base64');
  await assert.rejects(engine.openEndpoint('l1', savpOffer(port, `inline:${key}|2^20|1:4`)), SdpError, 'MKI is not supported');
  await assert.rejects(engine.openEndpoint('l2', savpOffer(port, `inline:${randomBytes(20).toString('base64')}`)), SdpError, 'wrong key length');
  const noCrypto = savpOffer(port, 'x').replace(/^a=crypto.*\r\n/m, '');
  await assert.rejects(engine.openEndpoint('l3', noCrypto), SdpError, 'SAVP without any key');
});
