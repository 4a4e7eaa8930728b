/**
 * The compiled build, as `npm start` runs it: `tsc` to dist/, then `node dist/src/cli/main.js serve`. From
 * sources the media worker is started through tsx; compiled, it is `dist/src/media/media-worker-host.js`
 * (media-engine-client.ts picks by its own file name). This test proves that path: a carrier call to the
 * demo's straight-to-voicemail line is answered, and the greeting the worker plays reaches the carrier's
 * RTP socket; the process then stops cleanly without a worker error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRingside } from '../support/ringside-process.js';
import { missingTool } from '../support/tools.js';
import { CARRIER_IP, ok, sipp } from '../support/sipp-calls.js';

const skip = missingTool('sipp', 'sip-tester') || missingTool('espeak-ng', 'espeak-ng');

test('compiled serve: the media worker from dist/ answers a voicemail call and plays its greeting', { skip, timeout: 120_000 }, async (t) => {
  await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { timeout: 90_000 });
  const r = await startRingside(t, ['--config', 'examples/demo.yaml'], { entry: 'dist/src/cli/main.js' });
  const sipPort = (r.logs.find((l) => l.msg === 'ringside started') as { sip: { port: number } }).sip.port;
  // The carrier's RTP socket (its SDP names this port on 127.0.0.2).
  const media = createSocket('udp4');
  let packets = 0;
  media.on('message', () => packets++);
  const rtpPort = await new Promise<number>((res) => media.bind(0, CARRIER_IP, () => res(media.address().port)));
  t.after(() => media.close());
  const carrier = await sipp(t, 'carrier-call-own-media.xml', `127.0.0.1:${sipPort}`, { from: CARRIER_IP, service: '+15550103', keys: { from: '+15557654321', rtp_port: String(rtpPort) } });
  ok(carrier, 'carrier');
  assert.ok(packets > 50, `the greeting reached the caller (${packets} RTP packets in 4 s)`);
  assert.equal(await r.stop('SIGTERM'), 0);
  assert.equal(r.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('media worker')).length, 0, 'no media worker error');
});
