/**
 * SIP over TLS (RFC 3261 §26) end to end with sipp built with OpenSSL (`-t l1`; test/support/sipp-tls.ts):
 * Alice's phone registers over TLS; Bob's phone calls her over TLS; Ringside reaches Alice's phone over TLS
 * at her registered Contact (her registering connection closed with that sipp run) trusting the test CA
 * (--tls-ca), the call is answered, Bob hangs up. And a bad certificate path stops `ringside
 * serve` with one line and exit status 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { startInProcess, login } from '../support/in-process.js';
import { TestSocket } from '../support/ws-client.js';
import { callConfig, ALICE, BOB } from '../support/call-config.js';
import { CARRIER_IP, ok, rtpSink, sipp, sleep } from '../support/sipp-calls.js';
import { freePort } from '../sip/support/sipp.js';
import { missingSippTls, sippWithTls } from '../support/sipp-tls.js';
import { runCli } from '../support/ringside-process.js';
import { endedSession } from '../switch/support/harness.js';
import { WsSipPhone } from '../support/ws-sip-phone.js';

const skip = missingSippTls();

/** A self-signed pair for 127.0.0.1 and 127.0.0.2 (Ringside's, the phones' and the carrier's: the test
 *  trusts it as its CA). */
function certificate(t: { after(fn: () => unknown): void }): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

const config = callConfig(9, `
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
      - ${BOB}
`);

test('sipp over TLS: a phone registers, another calls it through Ringside, the call is answered and hung up', { skip }, async (t) => {
  const bin = sippWithTls()!;
  const { cert, key } = certificate(t);
  const r = await startInProcess(t, config, { flags: { tlsCert: cert, tlsKey: key, tlsCa: cert, sipTlsPort: '0', httpsPort: '0' } });
  const ws = await TestSocket.open(r.httpPort);
  t.after(() => ws.close());
  await ws.request({ type: 'authrequest', token: await login(r, 'alice@demo.test', 'alice-pass') }, 'authresponse');
  await ws.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse');
  const tlsPort = r.sip.stack.tlsPort;
  assert.ok(tlsPort > 0);
  const target = `127.0.0.1:${tlsPort}`;
  const tlsArgs = ['-t', 'l1', '-tls_cert', cert, '-tls_key', key];

  // Alice's phone: REGISTER over TLS from PORT, then a TLS UAS on PORT (sipp cannot do both in one run).
  const alicePort = await freePort();
  const reg = await sipp(t, 'register.xml', target, { binary: bin, port: alicePort, service: '101', extra: [...tlsArgs, '-au', '101', '-ap', 'alice-sip-101'] });
  ok(reg, 'REGISTER over TLS');
  assert.match(reg.messages, /Via: SIP\/2\.0\/TLS/);
  const [binding] = await r.sip.registrar.lookup('501');
  assert.equal(binding?.destination.protocol, 'tls');
  assert.equal(binding?.destination.port, alicePort, 'her connection closed: reached at the Contact port');
  const media = await rtpSink(t);
  const alice = sipp(t, 'uas-answers.xml', '', { binary: bin, port: alicePort, keys: { rtp_port: String(media.port) }, extra: tlsArgs });
  await sleep(300);

  const bob = await sipp(t, 'device-calls.xml', target, { binary: bin, service: '102', keys: { dial: '101' }, extra: [...tlsArgs, '-au', '102', '-ap', 'bob-sip-102'] });
  ok(bob, "Bob's phone (TLS)");
  const a = await alice;
  ok(a, "Alice's phone (TLS)");
  assert.match(a.messages, /INVITE sip:101@127\.0\.0\.1/);
  assert.match(a.messages, /Via: SIP\/2\.0\/TLS [^\r\n]+/, 'Ringside names TLS in its Via');
  assert.match(a.messages, /Contact: <sip:[^>]+;transport=tls>/, 'and in its Contact');
  const { topics } = await endedSession(ws, 'internal', 10_000);
  assert.deepEqual(topics, ['voice.internal.start', 'voice.internal.answer', 'voice.internal.end']);
  assert.ok(r.sip.stack.counters.transport.tlsConnectionsOpened >= 3, 'registration, Bob and the connection Ringside dialled to Alice');
});

test('a phone over TLS calls out through a carrier trunk over TLS: Ringside dials the carrier and verifies its certificate', { skip }, async (t) => {
  const bin = sippWithTls()!;
  const { cert, key } = certificate(t);
  const carrierPort = await freePort();
  const r = await startInProcess(t, config.replace(`{ name: carrier, host: ${CARRIER_IP}, port: 9 }`, `{ name: carrier, host: ${CARRIER_IP}, port: ${carrierPort}, transport: tls }`), { flags: { tlsCert: cert, tlsKey: key, tlsCa: cert, sipTlsPort: '0', httpsPort: '0' } });
  const tlsArgs = ['-t', 'l1', '-tls_cert', cert, '-tls_key', key];
  const carrier = sipp(t, 'uas-answers.xml', '', { binary: bin, from: CARRIER_IP, port: carrierPort, keys: { rtp_port: '9' }, extra: tlsArgs });
  await sleep(300);
  const bob = await sipp(t, 'device-calls.xml', `127.0.0.1:${r.sip.stack.tlsPort}`, { binary: bin, service: '102', keys: { dial: '5557654321' }, extra: [...tlsArgs, '-au', '102', '-ap', 'bob-sip-102'] });
  ok(bob, "Bob's phone (TLS)");
  const c = await carrier;
  ok(c, 'carrier (TLS)');
  assert.match(c.messages, /INVITE sip:\+15557654321@127\.0\.0\.2:\d+ SIP\/2\.0/);
  assert.match(c.messages, /Via: SIP\/2\.0\/TLS /);
});

test('the SIP TLS port refuses a handshake with a certificate the client does not trust and talks TLS 1.2+ only', async (t) => {
  const { cert, key } = certificate(t);
  const r = await startInProcess(t, config, { flags: { tlsCert: cert, tlsKey: key, sipTlsPort: '0', httpsPort: '0' } });
  const untrusted = await new Promise<string>((resolve) => {
    const s = connect({ host: '127.0.0.1', port: r.sip.stack.tlsPort });
    s.once('secureConnect', () => resolve('connected'));
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  assert.equal(untrusted, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  const old = await new Promise<string>((resolve) => {
    const s = connect({ host: '127.0.0.1', port: r.sip.stack.tlsPort, ca: readFileSync(cert), maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
    s.once('secureConnect', () => resolve('connected'));
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  assert.notEqual(old, 'connected');
  // HTTPS on its own port serves the same API.
  const https = await new Promise<number>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: r.httpsPort ?? 0, ca: readFileSync(cert) });
    s.once('secureConnect', () => {
      s.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    });
    let text = '';
    s.on('data', (d) => (text += d.toString()));
    s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1])));
    s.once('error', reject);
  });
  assert.equal(https, 200);
});

test('a bad certificate path is refused at start: one line, exit status 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-badcert-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, config);
  const missing = join(dir, 'nope.pem');
  const run = await runCli(['serve', '--config', cfg, '--data', join(dir, 'data'), '--host', '127.0.0.1', '--http-port', '0', '--sip-port', '0', '--tls-cert', missing, '--tls-key', missing]);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stderr, `ringside: --tls-cert (RINGSIDE_TLS_CERT): cannot read '${missing}': no such file\n`);
  // A file that is not a certificate: also one line.
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n');
  const junk = await runCli(['serve', '--config', cfg, '--data', join(dir, 'data'), '--host', '127.0.0.1', '--http-port', '0', '--sip-port', '0', '--tls-cert', join(dir, 'junk.pem'), '--tls-key', join(dir, 'junk.pem')]);
  assert.equal(junk.code, 2, junk.stderr);
  assert.match(junk.stderr, /^ringside: --tls-cert\/--tls-key: .* not a usable certificate and key \([^\n]+\)\n$/);
  // A key without a certificate is a settings error, before anything starts.
  const half = await runCli(['serve', '--config', cfg, '--tls-key', missing]);
  assert.equal(half.code, 2);
  assert.equal(half.stderr, 'ringside: --tls-key (RINGSIDE_TLS_KEY) needs --tls-cert (RINGSIDE_TLS_CERT)\n');
});

test('TLS on without certificate files: a self-signed pair is made in the data directory; SIP over wss registers on the HTTPS port', async (t) => {
  const r = await startInProcess(t, config, { flags: { sipTlsPort: '0', httpsPort: '0' } });
  const certFile = join(r.settings.dataDir, 'tls', 'self-signed-cert.pem');
  const ca = readFileSync(certFile);
  assert.match(ca.toString(), /BEGIN CERTIFICATE/);
  // The SIP TLS port presents it, valid for 127.0.0.1.
  const handshake = await new Promise<string>((resolve) => {
    const s = connect({ host: '127.0.0.1', port: r.sip.stack.tlsPort, ca });
    s.once('secureConnect', () => {
      resolve('ok');
      s.end();
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  assert.equal(handshake, 'ok');
  const phone = await WsSipPhone.open(`wss://127.0.0.1:${r.httpsPort}/sip`, { ca });
  t.after(() => phone.close());
  const reg = await phone.register('101', 'alice-sip-101', 'ringside.test');
  assert.equal(reg.status, 200);
  assert.match(phone.raw.at(-1) ?? '', /\r\nVia: SIP\/2\.0\/WSS /);
  const [binding] = await r.sip.registrar.lookup('501');
  assert.equal(binding?.destination.protocol, 'wss');
});
