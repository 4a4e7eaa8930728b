import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advertisedAddresses, urlHost } from './advertised-addresses.js';
import { resolveSettings, SettingsError } from './settings.js';

test('flags win over the config, the config over the bound host; wildcard binds mean per peer', () => {
  const s = (flags: Record<string, string>, env: Record<string, string> = {}) => resolveSettings(flags, env);
  assert.deepEqual(advertisedAddresses(s({}), {}), {}, '0.0.0.0: per peer');
  assert.deepEqual(advertisedAddresses(s({ host: '::' }), {}), {});
  assert.deepEqual(advertisedAddresses(s({ host: '192.0.2.10' }), {}), { sip: '192.0.2.10', media: '192.0.2.10' });
  assert.deepEqual(advertisedAddresses(s({}), { sipAddress: 'pbx.example.com' }), { sip: 'pbx.example.com' }, 'a name is not a media address');
  assert.deepEqual(advertisedAddresses(s({}), { sipAddress: 'pbx.example.com', mediaAddress: '198.51.100.7' }), { sip: 'pbx.example.com', media: '198.51.100.7' });
  assert.deepEqual(advertisedAddresses(s({ sipAddress: '203.0.113.9' }), { sipAddress: '198.51.100.1' }), { sip: '203.0.113.9', media: '203.0.113.9' });
  assert.deepEqual(advertisedAddresses(s({}, { RINGSIDE_SIP_ADDRESS: '203.0.113.9', RINGSIDE_MEDIA_ADDRESS: '2001:db8::5' }), {}), { sip: '203.0.113.9', media: '2001:db8::5' });
  assert.equal(urlHost('2001:db8::5'), '[2001:db8::5]');
  assert.equal(urlHost('pbx.example.com'), 'pbx.example.com');
});

test('bad addresses are refused naming the flag and its variable', () => {
  assert.throws(() => resolveSettings({ sipAddress: 'not a host!' }, {}), (e: unknown) => e instanceof SettingsError && /--sip-address \(RINGSIDE_SIP_ADDRESS\)/.test(e.message));
  assert.throws(() => resolveSettings({ mediaAddress: 'pbx.example.com' }, {}), /--media-address \(RINGSIDE_MEDIA_ADDRESS\): 'pbx.example.com' is not a unicast IP/);
  assert.throws(() => resolveSettings({}, { RINGSIDE_MEDIA_ADDRESS: '0.0.0.0' }), /--media-address/);
  assert.equal(resolveSettings({ sipAddress: 'sip-1.example.com' }, {}).sipAddress, 'sip-1.example.com');
});
