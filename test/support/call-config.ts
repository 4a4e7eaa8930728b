/**
 * The provisioning call tests start Ringside with: account `demo` (as examples/demo.yaml) on a carrier
 * trunk whose peer is sipp on 127.0.0.2 at the test's port, and the demo's people as YAML flow mappings.
 * Each test adds its own numbers, users and lines (`body`, indented as the account's keys).
 */
import { CARRIER_IP } from './sipp-calls.js';

export function callConfig(carrierPort: number, body: string, account: { accountcode?: string } = {}): string {
  return `
trunks:
  - { name: carrier, host: ${CARRIER_IP}, port: ${carrierPort} }
accounts:
  - id: demo
    accountcode: ${account.accountcode ?? 'demo'}
    name: Demo
    trunk: carrier
    defaultCallerId: "+15550100"
${body}`;
}

/** Alice: admin, extension 101, PIN 1101, SIP user 101. */
export const ALICE = '{ id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, extension: "101", pin: "1101", sip: { username: "101", password: alice-sip-101 } }';
/** Bob: user, extension 102, PIN 1102, SIP user 102. */
export const BOB = '{ id: 502, name: Bob, email: bob@demo.test, password: bob-pass, role: user, extension: "102", pin: "1102", sip: { username: "102", password: bob-sip-102 } }';
/** Bob whose own number is +15550101 (outgoing caller ID, texts). */
export const BOB_WITH_NUMBER = '{ id: 502, name: Bob, email: bob@demo.test, password: bob-pass, role: user, extension: "102", pin: "1102", phoneNumber: "+15550101", sip: { username: "102", password: bob-sip-102 } }';

/** The account with one number, +15550100, on a line that rings Alice (ring-all) for `timeoutSeconds`. */
export function aliceLineConfig(carrierPort: number, timeoutSeconds = 20): string {
  return callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: ${timeoutSeconds}, fallback: hangup } }
`);
}
