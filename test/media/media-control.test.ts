/**
 * The compound operations of MediaControl (what a leg always does together, in one round trip from the
 * switch), the same through both implementations: the engine in a worker and the engine in this thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaEngine } from '../../src/media/media-engine.js';
import { MediaEngineClient } from '../../src/media/media-engine-client.js';
import { inThreadMedia, type MediaControl } from '../../src/media/media-control.js';
import { CodecMismatchError } from '../../src/media/errors.js';
import { UdpPhone } from './support/udp-phone.js';

type T = { after: (fn: () => Promise<void> | void) => void };

const implementations: Record<string, (t: T) => Promise<{ media: MediaControl; portsInUse: () => Promise<number> }>> = {
  async worker(t) {
    const dataDir = await mkdtemp(join(tmpdir(), 'rs-media-control-'));
    const base = 30000 + 2 * Math.floor(Math.random() * 10000);
    const media = await MediaEngineClient.start({ rtpPorts: `${base}-${base + 100}`, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir, logLevel: 'silent' });
    t.after(async () => {
      await media.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    return { media, portsInUse: async () => ((p) => p.total - p.free)(await media.portPool()) };
  },
  async 'in thread'(t) {
    const dataDir = await mkdtemp(join(tmpdir(), 'rs-media-control-'));
    const base = 30000 + 2 * Math.floor(Math.random() * 10000);
    const engine = new MediaEngine({ rtpPorts: `${base}-${base + 100}`, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir });
    t.after(async () => {
      await engine.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    return { media: inThreadMedia(engine), portsInUse: async () => engine.ports.inUse };
  },
};

for (const [name, start] of Object.entries(implementations)) {
  test(`${name}: openEndpoint answers or offers, answerOffer and applyAnswer say what they negotiated`, async (t) => {
    const { media } = await start(t);
    const phone = await UdpPhone.open();
    t.after(() => phone.close());

    const caller = await media.openEndpoint('leg-a', phone.offer({ codecs: ['PCMA', 'PCMU'] }));
    assert.match(caller.sdp, new RegExp(`^m=audio ${caller.port} RTP/AVP 8 101\\r$`, 'm'));
    assert.deepEqual(caller.negotiated, { codec: 'PCMA', direction: 'sendrecv' });

    const callee = await media.openEndpoint('leg-b');
    assert.match(callee.sdp, new RegExp(`^m=audio ${callee.port} RTP/AVP 0 8 101\\r$`, 'm'));
    assert.equal(callee.negotiated, null);
    // The party answers that it only receives: Ringside only sends.
    const answered = await media.applyAnswer(callee.endpointId, phone.offer({ codecs: ['PCMU'], direction: 'recvonly' }));
    assert.deepEqual(answered, { codec: 'PCMU', direction: 'sendonly' });
    const stats = await media.endpointStats(callee.endpointId);
    assert.deepEqual({ codec: stats.codec, direction: stats.direction }, answered);

    // A re-offer that holds the call (RFC 3264 §8.4): the answer is recvonly, and says so.
    const held = await media.answerOffer(caller.endpointId, phone.offer({ codecs: ['PCMA'], direction: 'sendonly' }));
    assert.match(held.sdp, /^a=recvonly\r$/m);
    assert.equal(held.direction, 'recvonly');
    assert.equal(held.codec, 'PCMA');
    assert.equal((await media.endpointStats(caller.endpointId)).direction, 'recvonly');
  });

  test(`${name}: openEndpoint whose offer cannot be answered rejects with the named error and leaves no endpoint`, async (t) => {
    const { media, portsInUse } = await start(t);
    const phone = await UdpPhone.open();
    t.after(() => phone.close());
    const before = await portsInUse();
    const g729Only = phone.offer({ codecs: [] }).replace('RTP/AVP 101', 'RTP/AVP 18 101');
    await assert.rejects(media.openEndpoint('leg-c', g729Only), (e: unknown) => e instanceof CodecMismatchError);
    assert.equal(await portsInUse(), before);
  });
}
