/**
 * A WebRTC leg end to end without a browser: werift's full RTCPeerConnection (a complete, independent ICE +
 * DTLS-SRTP stack, as a browser has) offers Opus over UDP/TLS/RTP/SAVPF to the media engine, which answers
 * ICE-lite, DTLS passive, rtcp-mux. The engine relays it to a plain G.711 phone (a scripted UDP peer): the
 * peer's Opus tone must reach the phone as PCMU, and the phone's tone must reach the peer as Opus, through
 * SRTP both ways. Then the reverse direction of setup: the engine offers WebRTC (a call to a browser) and
 * the peer answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpusScript from 'opusscript';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { MediaEngine } from '../../src/media/media-engine.js';
import { decodeG711, encodeG711 } from '../../src/media/g711.js';
import { UdpPhone, waitFor } from './support/udp-phone.js';
import { frames, sine, tonePower } from './support/audio-analysis.js';

async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rs-webrtc-'));
  const base = 30000 + 2 * Math.floor(Math.random() * 10000);
  const engine = new MediaEngine({ rtpPorts: `${base}-${base + 100}`, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir });
  const phone = await UdpPhone.open();
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 }),
        new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
      ],
    },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  const opus = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  t.after(async () => {
    phone.close();
    await pc.close();
    opus.delete();
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { engine, phone, pc, opus };
}

/** The peer's side of the call: sends a tone as Opus every 20 ms, decodes what it receives. */
function peerAudio(transceiver: RTCRtpTransceiver, track: MediaStreamTrack, opus: OpusScript, freq: number) {
  const received: Int16Array[] = [];
  transceiver.receiver.track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
    const pcm = opus.decode(rtp.payload);
    received.push(new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length)));
  });
  let seq = 100;
  let ts = 12345;
  const ssrc = 0x1234567;
  const tone = sine(freq, 20 * 200, 8000, 48000);
  let i = 0;
  const timer = setInterval(() => {
    const frame = tone.subarray((i % 200) * 960, (i % 200) * 960 + 960);
    i++;
    const payload = opus.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), 960);
    track.writeRtp(new RtpPacket(new RtpHeader({ payloadType: transceiver.codecs[0]?.payloadType ?? 111, sequenceNumber: seq++ & 0xffff, timestamp: (ts += 960) >>> 0, ssrc, marker: false }), payload));
  }, 20);
  return { received, stop: () => clearInterval(timer) };
}

function concat(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** The tone dominates: its power is far above a frequency that is not in the signal. */
function assertTone(samples: Int16Array, freq: number, other: number, rate: number, what: string): void {
  const p = tonePower(samples, freq, rate);
  const q = tonePower(samples, other, rate);
  assert.ok(p > 50 * q && p > 1e5, `${what}: ${freq} Hz power ${p.toExponential(2)} vs ${other} Hz ${q.toExponential(2)}`);
}

async function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((r) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && r()));
}

test('a WebRTC peer calls in: ICE-lite, DTLS-SRTP, Opus ↔ PCMU both ways through the relay', async (t) => {
  const { engine, phone, pc, opus } = await setup(t);
  const track = new MediaStreamTrack({ kind: 'audio' });
  const transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const offer = pc.localDescription!.sdp;
  assert.match(offer, /UDP\/TLS\/RTP\/SAVPF/);

  const web = await engine.openEndpoint('leg-browser', offer);
  assert.deepEqual(web.negotiated, { codec: 'opus', direction: 'sendrecv' });
  const answer = web.sdp;
  for (const re of [/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF (\d+)\r$/m, /^a=ice-lite\r$/m, /^a=setup:passive\r$/m, /^a=rtcp-mux\r$/m, /^a=fingerprint:sha-256 [0-9A-F:]{95}\r$/m, /^a=candidate:1 1 udp 2130706431 127\.0\.0\.1 \d+ typ host\r$/m, /^a=rtpmap:\d+ opus\/48000\/2\r$/m, /^a=group:BUNDLE 0\r$/m]) {
    assert.match(answer, re);
  }
  const plain = await engine.openEndpoint('leg-phone', phone.offer({ codecs: ['PCMU'], te: null }));
  engine.connect(web.endpointId, plain.endpointId);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await waitFor(() => pc.connectionState === 'connected', 10_000, 'the peer connection to connect (ICE + DTLS)');

  const peer = peerAudio(transceiver, track, opus, 1000);
  t.after(peer.stop);
  // The phone sends a 440 Hz tone in PCMU.
  const phoneSends = phone.stream(web.port === plain.port ? 0 : plain.port, 0, frames(sine(440, 3000)).map((f) => encodeG711('PCMU', f)));
  await waitFor(() => phone.received.length >= 100 && peer.received.length >= 100, 8000, 'audio both ways');
  await phoneSends;
  peer.stop();

  const atPhone = concat(phone.received.slice(-75).map((r) => decodeG711('PCMU', r.packet.payload)));
  assert.ok(phone.received.every((r) => r.packet.payloadType === 0));
  assertTone(atPhone, 1000, 440, 8000, 'the peer\'s Opus tone at the G.711 phone');
  const atPeer = concat(peer.received.slice(-75));
  assertTone(atPeer, 440, 1000, 48000, 'the phone\'s tone at the peer, as Opus');
  const stats = await engine.endpointStats(web.endpointId);
  assert.equal(stats.security, 'webrtc');
  assert.equal(stats.codec, 'opus');
  assert.ok(stats.latched);
});

test('a call to a browser: the engine offers WebRTC, the peer answers active, media flows', async (t) => {
  const { engine, phone, pc, opus } = await setup(t);
  const web = await engine.openEndpoint('leg-browser', undefined, undefined, { webrtc: true });
  assert.equal(web.negotiated, null);
  for (const re of [/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 111 0 8 101\r$/m, /^a=setup:actpass\r$/m, /^a=ice-lite\r$/m, /^a=mid:0\r$/m, /^a=rtcp-mux\r$/m]) assert.match(web.sdp, re);
  let transceiver: RTCRtpTransceiver | undefined;
  pc.onTransceiverAdded.subscribe((tr) => (transceiver = tr));
  await pc.setRemoteDescription({ type: 'offer', sdp: web.sdp });
  transceiver ??= pc.getTransceivers()[0];
  const track = new MediaStreamTrack({ kind: 'audio' });
  transceiver!.sender.replaceTrack(track);
  transceiver!.setDirection('sendrecv');
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  const answer = pc.localDescription!.sdp;
  assert.match(answer, /a=setup:active/);
  const negotiated = await engine.applyAnswer(web.endpointId, answer);
  assert.equal(negotiated.codec, 'opus');
  const plain = await engine.openEndpoint('leg-phone', phone.offer({ codecs: ['PCMA'], te: null }));
  engine.connect(web.endpointId, plain.endpointId);
  await waitFor(() => pc.connectionState === 'connected', 10_000, 'the peer connection to connect (ICE + DTLS, we are the server)');
  const peer = peerAudio(transceiver!, track, opus, 1000);
  t.after(peer.stop);
  const phoneSends = phone.stream(plain.port, 8, frames(sine(440, 3000)).map((f) => encodeG711('PCMA', f)));
  await waitFor(() => phone.received.length >= 100 && peer.received.length >= 100, 8000, 'audio both ways');
  await phoneSends;
  peer.stop();
  assertTone(concat(phone.received.slice(-75).map((r) => decodeG711('PCMA', r.packet.payload))), 1000, 440, 8000, 'peer tone at the PCMA phone');
  assertTone(concat(peer.received.slice(-75)), 440, 1000, 48000, 'phone tone at the peer');
});
