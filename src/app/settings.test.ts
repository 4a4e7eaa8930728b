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
