import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { TORTURE } from './fixtures/rfc4475-messages.js';
import { SipStack } from '../../src/sip/sip-stack.js';

/**
 * RFC 4475 application-layer behaviour of the live stack (§3.3): each request is sent over UDP with its top
 * Via rewritten to point at the test socket (with rport), and the status the stack answers is checked.
 * `null` means the message must be dropped without an answer (nothing to answer with).
 */
const EXPECT: Record<string, number | null> = {
  unkscm: 416, // §3.3.2 unknown Request-URI scheme
  novelsc: 416, // §3.3.3 soap.beep: is not a scheme we serve
  bext01: 420, // §3.3.5 Require: nothingSupportsThis
  invut: 415, // §3.3.6 unknown Content-Type
  sdp01: 406, // §3.3.15 Accept offers nothing we can send
  zeromf: 200, // §3.3.11 Max-Forwards 0 to a UA: processed normally
  lwsdisp: 200,
  semiuri: 200,
  transports: 200,
  badbranch: 200, // §3.2.1 bare magic cookie: still answered
  insuf: null, // §3.3.1 no From/To/Call-ID: cannot be answered
  mismatch01: 400, // §3.1.2.17
  baddn: 400, // §3.1.2.15
  multi01: 400, // §3.3.8
  mcl01: 400, // §3.3.9
  escruri: 400, // §3.1.2.11
};

test('RFC 4475 requests against a live stack get the statuses RFC 4475 asks for', async (t) => {
  const stack = await SipStack.start({ host: '127.0.0.1', port: 0 });
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.after(async () => {
    await new Promise<void>((r) => sock.close(() => r()));
    await stack.close();
  });
  const port = sock.address().port;
  const answers = new Map<string, number>();
  sock.on('message', (d) => {
    const text = d.toString('latin1');
    const callId = /\r\n(?:Call-ID|i): *([^\r\n]+)/i.exec(text)?.[1] ?? '';
    const status = Number(text.slice(8, 11));
    if (status >= 200) answers.set(callId, status);
  });
  for (const id of Object.keys(EXPECT)) {
    const m = TORTURE.find((x) => x.id === id)!;
    // Point the top Via at our socket: replace the first Via's sent-by, keep everything else.
    const text = m.data
      .toString('latin1')
      .replace(/\r\n(Via|v)( *: *SIP *\/ *2\.0 *\/ *)([A-Z]+) +[^;\r\n]+/i, (_a, name: string, proto: string) => `\r\n${name}${proto}UDP 127.0.0.1:${port};rport`);
    // Several RFC 4475 messages share a branch (z9hG4bKkdjuw); with one sent-by they would be one
    // transaction (§17.2.3), so the branch gets a per-message suffix (except badbranch, whose bare branch
    // is the point).
    const unique = id === 'badbranch' ? text : text.replace(/branch=(z9hG4bK[^;\r\n,]*)/, `branch=$1-${id}`);
    sock.send(Buffer.from(unique, 'latin1'), stack.port, '127.0.0.1');
  }
  await new Promise((r) => setTimeout(r, 400));
  for (const [id, expected] of Object.entries(EXPECT)) {
    const m = TORTURE.find((x) => x.id === id)!;
    const callId = /\r\n(?:Call-ID|i): *([^\r\n]+)/i.exec(m.data.toString('latin1'))?.[1]?.trim() ?? '';
    assert.equal(answers.get(callId) ?? null, expected, `${id} (§${m.section}) ${JSON.stringify([...answers])}`);
  }
});
