import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipStack } from '../../src/sip/sip-stack.js';
import { Registrar } from '../../src/sip/registrar/registrar.js';
import { MemoryBindingStore } from '../../src/sip/registrar/binding-store.js';
import { OutboundRegistration } from '../../src/sip/registration/outbound-registration.js';

const USERS: Record<string, { userId: string; password: string }> = {
  alice: { userId: 'u-alice', password: 'alice-secret' },
  bob: { userId: 'u-bob', password: 'bob-secret' },
};

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const server = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  const client = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const store = new MemoryBindingStore();
  const registrar = new Registrar({ store, realm: 'ringside.test', credentials: (u) => USERS[u], minExpires: 60 });
  server.onRequest('REGISTER', registrar.handle);
  return { server, client, registrar, store };
}

test('REGISTER: 401 challenge, digest answer, binding stored with its real source; lookup finds it', async (t) => {
  const { server, client, registrar } = await setup(t);
  const target = `sip:ringside.test@127.0.0.1:${server.port}`;
  const noAuth = await client.request('REGISTER', { to: 'sip:alice@ringside.test', from: 'sip:alice@ringside.test', requestUri: target, headers: { expires: '300' } });
  assert.equal(noAuth.status, 401);
  assert.equal(noAuth.headers.rows('www-authenticate').length, 2);
  const ok = await client.request('REGISTER', {
    to: 'sip:alice@ringside.test',
    from: 'sip:alice@ringside.test',
    requestUri: target,
    headers: { expires: '300' },
    credentials: { username: 'alice', password: 'alice-secret' },
  });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('contact') ?? '', /expires=300/);
  const found = await registrar.lookup('u-alice');
  assert.equal(found.length, 1);
  assert.equal(found[0]!.destination.port, client.port, 'NAT-aware: the source port (rport) is used');
  assert.equal(found[0]!.destination.protocol, 'udp');
});

test('REGISTER: wrong password 401, other user AOR 403, Min-Expires 423, several contacts, * unregister', async (t) => {
  const { server, client, registrar } = await setup(t);
  const target = `sip:ringside.test@127.0.0.1:${server.port}`;
  const base = { to: 'sip:alice@ringside.test', from: 'sip:alice@ringside.test', requestUri: target, callId: 'reg-call-1' };
  const wrong = await client.request('REGISTER', { ...base, credentials: { username: 'alice', password: 'x' } });
  assert.equal(wrong.status, 401);
  const other = await client.request('REGISTER', { ...base, to: 'sip:bob@ringside.test', credentials: { username: 'alice', password: 'alice-secret' } });
  assert.equal(other.status, 403);
  const brief = await client.request('REGISTER', { ...base, cseq: 10, headers: { expires: '10' }, credentials: { username: 'alice', password: 'alice-secret' } });
  assert.equal(brief.status, 423);
  assert.equal(brief.headers.get('min-expires'), '60');
  const two = await client.request('REGISTER', {
    ...base,
    cseq: 20,
    contact: '<sip:alice@192.0.2.10:5060>;q=0.5, <sip:alice@192.0.2.11:5060;transport=tcp>;expires=120',
    headers: { expires: '600' },
    credentials: { username: 'alice', password: 'alice-secret' },
  });
  assert.equal(two.status, 200);
  assert.equal(two.headers.getAll('contact').length, 2);
  const found = await registrar.lookup('u-alice');
  assert.deepEqual(found.map((c) => c.uri), ['sip:alice@192.0.2.11:5060;transport=tcp', 'sip:alice@192.0.2.10:5060']);
  const one = await client.request('REGISTER', { ...base, cseq: 30, contact: '<sip:alice@192.0.2.10:5060>;expires=0', credentials: { username: 'alice', password: 'alice-secret' } });
  assert.equal(one.status, 200);
  assert.equal((await registrar.lookup('u-alice')).length, 1);
  const all = await client.request('REGISTER', { ...base, cseq: 40, contact: '*', headers: { expires: '0' }, credentials: { username: 'alice', password: 'alice-secret' } });
  assert.equal(all.status, 200);
  assert.equal((await registrar.lookup('u-alice')).length, 0);
});

test('outbound registration: registers with digest, reports state, unregisters on stop', async (t) => {
  const { server, client, registrar } = await setup(t);
  const reg = new OutboundRegistration(client, {
    registrar: `sip:127.0.0.1:${server.port}`,
    aor: 'sip:bob@ringside.test',
    username: 'bob',
    password: 'bob-secret',
    expires: 30,
  });
  const states: string[] = [];
  reg.onStateChange((s) => states.push(s));
  const res = await reg.start();
  // 30 s is below Min-Expires (60): the registration retries with 60 (§10.2.8).
  assert.equal(res.status, 200);
  assert.equal(reg.state, 'registered');
  assert.equal(reg.grantedExpires, 60);
  assert.equal((await registrar.lookup('u-bob')).length, 1);
  await reg.stop();
  assert.equal(reg.state, 'unregistered');
  assert.equal((await registrar.lookup('u-bob')).length, 0);
  assert.deepEqual(states, ['registering', 'registering', 'registered', 'unregistered']);
});

test('a device registered over TCP is called back over the same connection (reuse, NAT friendly)', async (t) => {
  const { server, client, registrar } = await setup(t);
  const res = await client.request('REGISTER', {
    to: 'sip:alice@ringside.test',
    from: 'sip:alice@ringside.test',
    requestUri: `sip:ringside.test@127.0.0.1:${server.port};transport=tcp`,
    headers: { expires: '300' },
    credentials: { username: 'alice', password: 'alice-secret' },
  });
  assert.equal(res.status, 200);
  const [contact] = await registrar.lookup('u-alice');
  assert.equal(contact!.destination.protocol, 'tcp');
  assert.ok(contact!.destination.connectionId);
  client.onInvite((inv) => {
    inv.accept({ body: 'v=0\r\n' });
  });
  const call = await (await server.invite({ to: contact!.uri, destination: contact!.destination, body: 'v=0\r\n' })).result;
  assert.ok(call.ok);
  assert.equal((await call.session.bye()).status, 200);
  assert.equal(server.counters.transport.tcpConnectionsOpened, 1, 'the server never dialled: it reused the inbound connection');
  assert.equal(client.counters.transport.tcpConnectionsOpened, 1);
});
