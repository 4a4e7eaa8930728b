/** The media engine in a worker thread, driven through MediaEngineClient. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaEngineClient } from '../../src/media/media-engine-client.js';
import { CodecMismatchError, InvalidStateError } from '../../src/media/errors.js';
import { encodeG711 } from '../../src/media/g711.js';
import { dtmfEventPackets } from '../../src/media/dtmf-rfc4733.js';
import { UdpPhone, waitFor } from './support/udp-phone.js';
import { frames, sine } from './support/audio-analysis.js';

test('relay, DTMF events, playback and named errors work across the worker boundary', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'rs-media-worker-'));
  const base = 30000 + 2 * Math.floor(Math.random() * 10000);
  const media = await MediaEngineClient.start({ rtpPorts: `${base}-${base + 100}`, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir, logLevel: 'silent' });
  const [a, b] = [await UdpPhone.open(), await UdpPhone.open()];
  t.after(async () => {
    a.close();
    b.close();
    await media.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const ea = await media.allocateEndpoint('leg-a');
  const eb = await media.allocateEndpoint('leg-b');
  await media.createAnswer(ea.endpointId, a.offer({ codecs: ['PCMU'] }));
  await media.createAnswer(eb.endpointId, b.offer({ codecs: ['PCMA'] }));
  await media.connect(ea.endpointId, eb.endpointId);
  await a.stream(ea.port, 0, frames(sine(500, 200)).map((f) => encodeG711('PCMU', f)));
  await waitFor(() => b.received.length >= 10, 2000, 'relayed packets');
  assert.ok(b.received.every((r) => r.packet.payloadType === 8));

  const digits: string[] = [];
  media.on('dtmf', (e) => digits.push(e.digit));
  for (const p of dtmfEventPackets('9')) a.send(ea.port, 101, p.payload, { marker: p.marker, advance: 0 });
  await waitFor(() => digits.length === 1, 2000, 'digit');
  assert.deepEqual(digits, ['9']);

  const pb = await media.play(eb.endpointId, { tone: { frequencies: [440], durationMs: 200 } });
  assert.equal(await pb.done, 'done');

  const bad = await media.allocateEndpoint('leg-c');
  await assert.rejects(
    media.createAnswer(bad.endpointId, a.offer({ codecs: [] }).replace('RTP/AVP 101', 'RTP/AVP 18 101')),
    (e: unknown) => e instanceof CodecMismatchError,
  );
});

test('pending requests are rejected with a clear error when the worker goes away', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'rs-media-worker-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const media = await MediaEngineClient.start({ rtpPorts: '30000-30100', bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir, logLevel: 'silent' });
  const phone = await UdpPhone.open();
  t.after(() => phone.close());
  const ep = await media.allocateEndpoint('x');
  await media.createAnswer(ep.endpointId, phone.offer());
  // Long enough to be in flight when the engine closes: it must settle, not hang.
  const digits = media.call('sendDigits', ep.endpointId, '1234567890');
  await media.close();
  await digits;
  await assert.rejects(media.allocateEndpoint('x'), InvalidStateError);
});

test('requests made in one turn (one batch to the worker) are each answered, and one that cannot be cloned fails alone', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'rs-media-worker-'));
  const base = 30000 + 2 * Math.floor(Math.random() * 10000);
  const media = await MediaEngineClient.start({ rtpPorts: `${base}-${base + 100}`, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir, logLevel: 'silent' });
  t.after(async () => {
    await media.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const opened = await Promise.all(['a', 'b', 'c'].map((leg) => media.openEndpoint(leg)));
  const settled = await Promise.allSettled([
    media.createOffer(opened[0]!.endpointId, 'sendonly'),
    // A function cannot cross threads (DataCloneError): only this request may fail.
    media.call('createOffer', opened[1]!.endpointId, (() => 'sendrecv') as never),
    media.createOffer(opened[2]!.endpointId, 'inactive'),
    media.closeEndpoint('no-such-endpoint'),
  ]);
  assert.equal(settled[0].status, 'fulfilled');
  assert.match((settled[0] as PromiseFulfilledResult<string>).value, /^a=sendonly\r$/m);
  assert.equal(settled[1].status, 'rejected');
  assert.equal((settled[1] as PromiseRejectedResult).reason.name, 'DataCloneError');
  assert.match((settled[2] as PromiseFulfilledResult<string>).value, /^a=inactive\r$/m);
  assert.equal(settled[3].status, 'fulfilled');
  assert.equal(await media.portPool().then((p) => p.total - p.free), 3);
});
