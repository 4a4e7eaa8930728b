/**
 * RFC 3327 Path at the registrar: a REGISTER's Path header field values are stored with the binding, in
 * order, and copied into the 200 (§5.3); requests to the device carry them as a preloaded Route set and go
 * to the first Route's address (§5.4, RFC 3261 §8.1.2) — what lets any Ringside node behind Kamailio reach a
 * phone registered through it (test/cluster/kamailio-dispatch.test.ts runs the real thing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { SipStack } from '../../src/sip/sip-stack.js';
import { Registrar } from '../../src/sip/registrar/registrar.js';
import { MemoryBindingStore } from '../../src/sip/registrar/binding-store.js';
import { parseMessage } from '../../src/sip/message/parser.js';
import type { SipRequest } from '../../src/sip/message/sip-message.js';
import { deviceTargets } from '../../src/switch/routing/targets.js';
import type { UserRecord } from '../../src/store/store.js';

type T = { after: (fn: () => unknown) => void };

async function setup(t: T) {
  const server = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  const client = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const store = new MemoryBindingStore();
  const registrar = new Registrar({ store, realm: 'ringside.test', credentials: (u) => (u === 'alice' ? { userId: '501', password: 'alice-secret' } : undefined) });
  server.onRequest('REGISTER', registrar.handle);
  const register = (headers: Record<string, string>, cseq: number) =>
    client.request('REGISTER', {
      to: 'sip:alice@ringside.test',
      from: 'sip:alice@ringside.test',
      requestUri: `sip:ringside.test@127.0.0.1:${server.port}`,
      callId: 'path-reg-1',
      cseq,
      contact: '<sip:alice@192.0.2.4:5060>',
      headers: { expires: '300', ...headers },
      credentials: { username: 'alice', password: 'alice-secret' },
    });
  return { server, client, registrar, store, register };
}

/** A UDP socket standing in for the proxy on the path: resolves with the first request it receives. */
async function proxy(t: T): Promise<{ port: number; request: Promise<SipRequest> }> {
  const sock = createSocket('udp4');
  t.after(() => sock.close());
  const request = new Promise<SipRequest>((resolve) => sock.once('message', (m) => resolve(parseMessage(m) as SipRequest)));
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  return { port, request };
}

test('Path: stored with the binding in order, copied into the 200; the device is reached at the first hop with the path as Route', async (t) => {
  const { registrar, store, register } = await setup(t);
  const edge = await proxy(t);
  const first = `<sip:127.0.0.1:${edge.port};lr;received=sip:192.0.2.4:5060>`;
  const second = '<sip:p1.visited.invalid;lr>';
  const ok = await register({ supported: 'path', path: `${first}, ${second}` }, 2);
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.headers.getAll('path'), [first, second], 'RFC 3327 §5.3: the 200 copies the Path values, in order');
  const [binding] = await store.load('501');
  assert.deepEqual(binding!.path, [first, second], 'stored with the binding');

  const [contact] = await registrar.lookup('501');
  assert.deepEqual(contact!.route, [first, second]);
  assert.equal(contact!.destination.host, '127.0.0.1');
  assert.equal(contact!.destination.port, edge.port, 'sent to the first Route (RFC 3261 §8.1.2), not to where the REGISTER came from');

  // The switch rings the device with the path as its preloaded Route set (RFC 3327 §5.4).
  const user = { id: 501, name: 'Alice', sip: { username: 'alice', password: 'x' } } as unknown as UserRecord;
  const [target] = await deviceTargets({ registrar }, user, '<sip:+15550100@ringside.test>');
  const req = target!.requests[0]!;
  assert.equal(req.requestUri, 'sip:alice@192.0.2.4:5060', 'the Request-URI is the registered Contact');
  assert.equal(req.headers?.route, `${first}, ${second}`);
});

test('Path: an INVITE to a path binding leaves with the Route set, the Contact as Request-URI, to the first hop', async (t) => {
  const { server, registrar, register } = await setup(t);
  const edge = await proxy(t);
  const first = `<sip:127.0.0.1:${edge.port};lr;received=sip:192.0.2.4:5060>`;
  assert.equal((await register({ supported: 'path', path: first }, 2)).status, 200);
  const [c] = await registrar.lookup('501');
  await server.invite({ to: c!.aor, requestUri: c!.uri, destination: c!.destination, ...(c!.route ? { headers: { route: c!.route.join(', ') } } : {}), body: 'v=0\r\n', contentType: 'application/sdp' });
  const invite = await edge.request;
  assert.equal(invite.method, 'INVITE');
  assert.equal(invite.uri, 'sip:alice@192.0.2.4:5060');
  assert.deepEqual(invite.headers.getAll('route'), [first]);
});

test('Path: accepted without Supported: path (RFC 3327 §5.3 local policy), and a refresh without Path drops it', async (t) => {
  const { registrar, register } = await setup(t);
  const path = '<sip:127.0.0.1:5999;lr>';
  const ok = await register({ path }, 2);
  assert.equal(ok.status, 200, 'phones rarely say Supported: path; the REGISTER is authenticated all the same');
  assert.deepEqual(ok.headers.getAll('path'), [path]);
  assert.deepEqual((await registrar.lookup('501'))[0]!.route, [path]);

  const refresh = await register({}, 10);
  assert.equal(refresh.status, 200);
  assert.equal(refresh.headers.get('path'), undefined, 'no Path in, none out');
  const [c] = await registrar.lookup('501');
  assert.equal(c!.route, undefined, 'the binding follows its latest REGISTER');
  assert.notEqual(c!.destination.port, 5999, 'back to the REGISTER source');
});
