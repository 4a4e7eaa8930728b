/**
 * ForkMedia with the real media engine (in this thread): mixed forks get two endpoints and two kinds of
 * offer; the fork kind that answers decides the endpoint the leg keeps; the other is closed; nothing is
 * left open on any path. The Leg's SIP stack is never used by these operations (no dialog), hence `null`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaEngine } from '../media/media-engine.js';
import { inThreadMedia } from '../media/media-control.js';
import { silentLogger } from '../log/logger.js';
import type { SipStack } from '../sip/index.js';
import { Leg } from './leg.js';
import { ForkMedia } from './fork-media.js';

const ws = { to: 'sip:501@ringside.test', requestUri: 'sip:k3fo@df7jal23ls0d.invalid;transport=ws' };
const udp = { to: 'sip:501@ringside.test', requestUri: 'sip:alice@127.0.0.1:5062' };

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rs-fork-media-'));
  const base = 30000 + 2 * Math.floor(Math.random() * 10000);
  const engine = new MediaEngine({ rtpPorts: `${base}-${base + 20}`, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir });
  t.after(async () => {
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const media = inThreadMedia(engine);
  const leg = new Leg({ stack: null as unknown as SipStack, media, log: silentLogger() }, 'leg-1', { role: 'callee', party: { kind: 'sip', number: '501' }, direction: 'out' });
  const settled = async () => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    return engine.ports.inUse;
  };
  return { engine, media, leg, settled };
}

/** What the plain phone would answer (RTP/AVP PCMU). */
const plainAnswer = ['v=0', 'o=p 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');

test('forks of one kind share one endpoint and one offer', async (t) => {
  const { media, leg, settled } = await setup(t);
  const fm = await ForkMedia.open(leg, media, [ws, ws]);
  assert.equal(fm.offerFor(ws), fm.offerFor({ ...ws }));
  assert.match(fm.offerFor(ws), /UDP\/TLS\/RTP\/SAVPF/);
  assert.equal(await settled(), 1);
  fm.release();
  assert.equal(await settled(), 0);
});

test('mixed forks: a WebRTC offer for the browser, a plain one for the phone, two endpoints; the phone answers, the WebRTC one is closed', async (t) => {
  const { media, leg, settled } = await setup(t);
  const fm = await ForkMedia.open(leg, media, [udp, ws]);
  assert.equal(await settled(), 2);
  const web = fm.offerFor(ws);
  const plain = fm.offerFor(udp);
  for (const re of [/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m, /^a=fingerprint:sha-256 /m, /^a=ice-lite\r$/m]) assert.match(web, re);
  assert.match(plain, /^m=audio \d+ RTP\/AVP /m);
  assert.doesNotMatch(plain, /a=fingerprint|a=ice-lite/);
  const plainEndpoint = leg.endpointId;
  fm.use(false);
  assert.equal(leg.endpointId, plainEndpoint);
  await leg.applyAnswer(plainAnswer);
  fm.settle();
  assert.equal(await settled(), 1);
  assert.equal(leg.codec, 'PCMU');
  leg.releaseMedia();
  fm.release();
  assert.equal(await settled(), 0);
});

test('mixed forks: the browser answers, the leg takes the WebRTC endpoint; an unusable answer first loses nothing', async (t) => {
  const { media, leg, settled } = await setup(t);
  const fm = await ForkMedia.open(leg, media, [udp, ws]);
  const plainEndpoint = leg.endpointId;
  fm.use(true);
  const webEndpoint = leg.endpointId;
  assert.notEqual(webEndpoint, plainEndpoint);
  // A plain answer to the WebRTC offer is refused; both endpoints stay, and the phone can still answer.
  await assert.rejects(leg.applyAnswer(plainAnswer));
  assert.equal(await settled(), 2);
  fm.use(false);
  assert.equal(leg.endpointId, plainEndpoint);
  fm.use(true);
  assert.equal(leg.endpointId, webEndpoint);
  fm.settle();
  assert.equal(await settled(), 1, 'the plain endpoint is closed once the browser won');
  fm.release();
  assert.equal(await settled(), 0);
});

test('mixed forks, nobody answers: release closes both', async (t) => {
  const { media, leg, settled } = await setup(t);
  const fm = await ForkMedia.open(leg, media, [ws, udp, ws]);
  assert.equal(await settled(), 2);
  fm.release();
  fm.release();
  assert.equal(await settled(), 0);
});
