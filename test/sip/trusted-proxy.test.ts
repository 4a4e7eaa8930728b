/**
 * Requests relayed by a trusted proxy (`server.trustedProxies`: Kamailio in front of a cluster,
 * docs/scale-out.md) come from the previous hop's address, taken from the Via the proxy stamped
 * (`received`, RFC 3261 §18.2.1): a carrier's INVITE through the proxy is a carrier call (here: an unknown
 * number, so 404), a phone's is a device call (challenged). From a source not listed the same Vias prove
 * nothing: the call is taken for a device's and challenged. Raw UDP from the proxy's loopback address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { startInProcess } from '../support/in-process.js';
import { callConfig, ALICE } from '../support/call-config.js';
import { CARRIER_IP } from '../support/sipp-calls.js';

const PROXY = '127.0.0.3';
const STRANGER = '127.0.0.4';

function invite(from: { ip: string; port: number }, origin: string, n: number, sipPort: number): string {
  return [
    `INVITE sip:+15550199@127.0.0.1:${sipPort} SIP/2.0`,
    `Via: SIP/2.0/UDP ${from.ip}:${from.port};branch=z9hG4bK-proxy-${n}`,
    `Via: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-origin-${n};received=${origin};rport=5060`,
    `From: <sip:+15557654321@${origin}>;tag=t${n}`,
    `To: <sip:+15550199@127.0.0.1>`,
    `Call-ID: trusted-proxy-${n}-${Date.now()}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:+15557654321@${from.ip}:${from.port}>`,
    'Max-Forwards: 69',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

async function bound(t: { after(fn: () => unknown): void }, ip: string): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, ip, resolve));
  t.after(() => s.close());
  return s;
}

/** Sends `text` and resolves with the first final status answered. */
function finalStatus(s: Socket, text: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no final response')), 5000);
    s.on('message', (m) => {
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(m.toString())?.[1]);
      if (status >= 200) {
        clearTimeout(timer);
        resolve(status);
      }
    });
    s.send(text, port, '127.0.0.1');
  });
}

const config = (proxies: string) =>
  callConfig(9, `
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
`).replace('trunks:', `server:\n  trustedProxies: [${proxies}]\ntrunks:`);

test('behind a trusted proxy the carrier is told apart from phones by the stamped Via; an untrusted source proves nothing', async (t) => {
  const r = await startInProcess(t, config(`"${PROXY}"`));
  const port = r.sip.port;
  const proxy = await bound(t, PROXY);
  const proxyAddr = { ip: PROXY, port: proxy.address().port };
  assert.equal(await finalStatus(proxy, invite(proxyAddr, CARRIER_IP, 1, port), port), 404, "the carrier's call, relayed: carrier routing (unknown number)");
  const proxy2 = await bound(t, PROXY);
  assert.ok([401, 407].includes(await finalStatus(proxy2, invite({ ip: PROXY, port: proxy2.address().port }, '192.0.2.50', 2, port), port)), "a phone's call, relayed: challenged");
  const stranger = await bound(t, STRANGER);
  assert.ok([401, 407].includes(await finalStatus(stranger, invite({ ip: STRANGER, port: stranger.address().port }, CARRIER_IP, 3, port), port)), 'a Via naming the carrier from an untrusted source: challenged');
});

test('without trustedProxies a relayed request is its source\'s', async (t) => {
  const r = await startInProcess(t, config(''));
  const proxy = await bound(t, PROXY);
  assert.ok([401, 407].includes(await finalStatus(proxy, invite({ ip: PROXY, port: proxy.address().port }, CARRIER_IP, 4, r.sip.port), r.sip.port)));
});
