import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSettings, SettingsError } from './settings.js';

test('TLS is off by default and on with a certificate, a SIP TLS port or an HTTPS port', () => {
  assert.equal(resolveSettings({}, {}).tls, undefined);
  assert.equal(resolveSettings({}, {}).sipWsPath, '/sip');
  assert.deepEqual(resolveSettings({ tlsCert: 'c.pem', tlsKey: 'k.pem' }, {}).tls, { sipPort: 5061, httpsPort: 8443, certFile: 'c.pem', keyFile: 'k.pem' });
  assert.deepEqual(resolveSettings({ sipTlsPort: '5071' }, {}).tls, { sipPort: 5071, httpsPort: 8443 });
  assert.deepEqual(resolveSettings({}, { RINGSIDE_HTTPS_PORT: '9443', RINGSIDE_TLS_CA: 'ca.pem' }).tls, { sipPort: 5061, httpsPort: 9443, caFile: 'ca.pem' });
  assert.equal(resolveSettings({}, { RINGSIDE_SIP_WS_PATH: '/ws/sip' }).sipWsPath, '/ws/sip');
});

test('half a certificate, a bad TLS port or a bad WebSocket path is a settings error naming the flag', () => {
  assert.throws(() => resolveSettings({ tlsCert: 'c.pem' }, {}), new SettingsError('--tls-cert (RINGSIDE_TLS_CERT) needs --tls-key (RINGSIDE_TLS_KEY)'));
  assert.throws(() => resolveSettings({ sipTlsPort: '70000' }, {}), /--sip-tls-port \(RINGSIDE_SIP_TLS_PORT\): '70000' is not a port number/);
  assert.throws(() => resolveSettings({ sipWsPath: '/' }, {}), /--sip-ws-path \(RINGSIDE_SIP_WS_PATH\): '\/' must be a path/);
  assert.throws(() => resolveSettings({ sipWsPath: 'sip' }, {}), SettingsError);
});

test('store, log and node id: embedded by default; PostgreSQL, NATS and an id by flag or environment; bad ones named', () => {
  const d = resolveSettings({}, {});
  assert.deepEqual([d.store, d.log], [{ kind: 'sqlite' }, { kind: 'sqlite' }]);
  assert.match(d.nodeId, /^[A-Za-z0-9]/);
  const s = resolveSettings({ store: 'postgres://rs@db:5432/ringside', nodeId: 'node-a' }, { RINGSIDE_LOG: 'nats://nats:4222' });
  assert.deepEqual([s.store, s.log, s.nodeId], [{ kind: 'postgres', url: 'postgres://rs@db:5432/ringside' }, { kind: 'nats', url: 'nats://nats:4222' }, 'node-a']);
  assert.throws(() => resolveSettings({ store: 'mysql://u:secret@h/db' }, {}), new SettingsError("--store (RINGSIDE_STORE): 'mysql://u:***@h/db' is not 'sqlite' or a postgres://user@host:port/database URL"));
  assert.throws(() => resolveSettings({ log: 'kafka://k:9092' }, {}), /^SettingsError: --log \(RINGSIDE_LOG\)/);
  assert.throws(() => resolveSettings({ nodeId: 'a b' }, {}), /--node-id \(RINGSIDE_NODE_ID\)/);
});
