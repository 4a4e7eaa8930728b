import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../config/load-config.js';
import { adaptDemoConfig, demoConfigPath } from './standalone-ringside.js';
import { DemoError } from './errors.js';

test('the standalone tour moves the demo trunk to the carrier port and drops the fixed public URL', () => {
  const original = readFileSync(demoConfigPath(), 'utf8');
  const adapted = adaptDemoConfig(original, { host: '127.0.0.2', port: 41234 });
  const c = parseConfig(adapted, 'demo.yaml');
  assert.equal(c.trunks[0]?.host, '127.0.0.2');
  assert.equal(c.trunks[0]?.port, 41234);
  assert.equal(c.server?.publicUrl, undefined);
  // Everything else is the demo provisioning as shipped, comments included.
  assert.deepEqual(c.accounts, parseConfig(original, 'demo.yaml').accounts);
  assert.match(adapted, /# Demo provisioning/);
});

test('a demo config without a trunk at the carrier address is refused with a reason', () => {
  const original = readFileSync(demoConfigPath(), 'utf8');
  assert.throws(() => adaptDemoConfig(original, { host: '127.0.0.9', port: 5090 }), (err: unknown) => err instanceof DemoError && /no trunk at 127\.0\.0\.9/.test(err.message));
});
