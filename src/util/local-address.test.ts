import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { isWildcard, localAddressFor, primaryAddress } from './local-address.js';
import { isPrivateAddress } from './private-address.js';

test('a loopback peer is reached on loopback, IPv4 and IPv6', () => {
  assert.equal(localAddressFor('127.0.0.1'), '127.0.0.1');
  assert.equal(localAddressFor('127.0.0.2'), '127.0.0.1', 'the /8 holds every 127.x peer: the kernel answers from 127.0.0.1');
  const hasV6Loopback = Object.values(networkInterfaces()).some((l) => l?.some((i) => i.address === '::1'));
  if (hasV6Loopback) assert.equal(localAddressFor('[::1]'), '::1');
});

test('a peer on an interface subnet is reached on that interface; others by the primary address', () => {
  const external = Object.values(networkInterfaces()).flatMap((l) => l ?? []).filter((i) => !i.internal && i.family === 'IPv4');
  for (const i of external) assert.equal(localAddressFor(i.address), i.address, `a peer on ${i.cidr}`);
  // TEST-NET-3 (RFC 5737) is on no interface here: it goes by the default route.
  assert.equal(localAddressFor('203.0.113.77'), primaryAddress());
  assert.notEqual(primaryAddress(), '0.0.0.0');
  if (external.length > 0) assert.ok(external.some((i) => i.address === primaryAddress()), 'the primary address is one of ours');
  assert.equal(localAddressFor('sip.example.com'), primaryAddress(), 'a host name is not matched to a subnet');
});

test('wildcards and private addresses', () => {
  assert.ok(isWildcard('0.0.0.0') && isWildcard('::'));
  assert.ok(!isWildcard('127.0.0.1'));
  for (const a of ['10.1.2.3', '172.16.0.9', '172.31.255.1', '192.168.1.10', '100.64.0.1', '169.254.3.3', 'fd00::1', '[fe80::1]']) assert.ok(isPrivateAddress(a), a);
  for (const a of ['8.8.8.8', '172.32.0.1', '127.0.0.1', '2001:db8::1', 'phone.example.com', '203.0.113.5']) assert.ok(!isPrivateAddress(a), a);
});
