/**
 * `GET /metrics` after a known set of calls (issue 16, "Metrics"): Ringside in-process, real sipp phones
 * and carrier over loopback (test/support/sipp-calls.ts). Alice's phone registers once, answers one inbound
 * call that the carrier hangs up, then places one outbound call the carrier refuses busy. The scrape must
 * parse as Prometheus text and hold exactly those figures: 2 calls started, 1 inbound answered, 1 outbound
 * busy, none active, 1 registration, and the SIP messages Ringside sent. Received messages may include a
 * sipp retransmission on a loaded machine, so those are checked against the transport's own count.
 * With RINGSIDE_METRICS_TOKEN set a scrape without the token (or with another) is refused 401.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { startInProcess } from '../support/in-process.js';
import { checkRequestsAgainstDocument } from '../../src/api/openapi/documented-requests.js';
import { aliceLineConfig } from '../support/call-config.js';
import { CARRIER_IP, ok, phoneAnswering, registeredPhone, sipp, sleep } from '../support/sipp-calls.js';
import { freePort } from '../sip/support/sipp.js';

const skip = missingTool('sipp', 'sip-tester');
const TOKEN = 'metrics-test-token-0123456789';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format 0.0.4: every line is a comment (# HELP / # TYPE), or a
 *  sample `name{label="value",…} number`; every sample's family has a TYPE. Throws on anything else. */
function parsePrometheus(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      assert.ok(!types.has(type[1]!), `TYPE given twice for ${type[1]}`);
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
    assert.ok(m, `not a Prometheus text line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
    let at = 0;
    while (at < body.length) {
      re.lastIndex = at;
      const l = re.exec(body);
      assert.ok(l, `bad labels in ${JSON.stringify(line)}`);
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
      at = re.lastIndex;
    }
    const value = Number(m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : m[3]);
    assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `bad value in ${JSON.stringify(line)}`);
    const name = m[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, '');
    assert.ok(types.has(family) || types.has(name), `sample ${name} has no TYPE`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The value of the one sample with these labels (exactly), 0 when absent. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} appears ${found.length} times`);
  return found[0]?.value ?? 0;
}

const sum = (samples: Sample[], name: string, where: Record<string, string> = {}) => samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

const config = (carrierPort: number): string => aliceLineConfig(carrierPort, 10);

/** `token` null: no Authorization header. */
async function scrape(port: number, token: string | null = TOKEN): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/metrics`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
}

test('after one answered inbound call and one busy outbound call the metrics hold exactly those numbers', { skip }, async (t) => {
  const carrierPort = await freePort();
  const r = await startInProcess(t, config(carrierPort), { env: { RINGSIDE_METRICS_TOKEN: TOKEN } });
  const target = `127.0.0.1:${r.sip.port}`;

  // Before any call: parses, no call counted, the process metrics are there.
  const before = await scrape(r.httpPort);
  assert.equal(before.status, 200);
  assert.match(before.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const empty = parsePrometheus(await before.text());
  assert.equal(sum(empty, 'ringside_calls_started_total'), 0);
  assert.ok(value(empty, 'process_cpu_seconds_total') > 0, 'default process metrics');
  assert.ok(empty.some((s) => s.name === 'nodejs_eventloop_lag_seconds'), 'event-loop lag');

  // 1. Inbound: the carrier calls the line, Alice's registered phone answers, the carrier hangs up.
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers.xml');
  ok(await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } }), 'carrier (inbound)');
  ok(await phone.done, 'phone (inbound)');
  // 2. Outbound: Alice's phone dials out (challenged once, RFC 3261 §22.2), the carrier says busy.
  const far = await phoneAnswering(t, 'uas-busy.xml', carrierPort, 9, CARRIER_IP);
  ok(await sipp(t, 'device-calls-busy.xml', target, { service: '101', keys: { dial: '+15557654321' }, extra: ['-au', '101', '-ap', 'alice-sip-101'] }), 'phone (outbound)');
  ok(await far.done, 'carrier (outbound)');

  // Calls are counted once their session.ended is durable: wait for both.
  let samples: Sample[] = [];
  for (let i = 0; i < 100; i++) {
    samples = parsePrometheus(await (await scrape(r.httpPort)).text());
    if (sum(samples, 'ringside_calls_ended_total') >= 2) break;
    await sleep(100);
  }
  await sleep(300); // nothing more may arrive: a stray count would show now
  samples = parsePrometheus(await (await scrape(r.httpPort)).text());

  const calls = samples.filter((s) => s.name.startsWith('ringside_calls_') && s.value !== 0).map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`).sort();
  assert.deepEqual(calls, [
    'ringside_calls_ended_total{"kind":"inbound","result":"answered"} 1',
    'ringside_calls_ended_total{"kind":"outbound","result":"busy"} 1',
    'ringside_calls_started_total{"kind":"inbound"} 1',
    'ringside_calls_started_total{"kind":"outbound"} 1',
  ]);
  assert.equal(sum(samples, 'ringside_calls_active'), 0);
  assert.equal(value(samples, 'ringside_sip_registrations'), 1, "Alice's phone");

  // What Ringside sent (first transmissions, exactly): the INVITE to the phone and to the carrier, the
  // BYE to the phone; 401 to the first REGISTER and the first INVITE, 200 to the second REGISTER, 486 relayed
  // to the phone, 200 to the carrier's BYE.
  const out = (method: string, status?: string) => (status === undefined ? value(samples, 'ringside_sip_requests_total', { direction: 'out', method }) : value(samples, 'ringside_sip_responses_total', { direction: 'out', method, status }));
  assert.equal(out('INVITE'), 2);
  assert.equal(out('BYE'), 1);
  assert.equal(out('REGISTER'), 0);
  assert.equal(out('REGISTER', '401'), 1);
  assert.equal(out('REGISTER', '200'), 1);
  assert.equal(out('INVITE', '401'), 1);
  assert.equal(out('INVITE', '486'), 1);
  assert.equal(out('BYE', '200'), 1);
  assert.equal(out('INVITE', '200'), 1, 'the carrier got 200 for its call');
  // What Ringside received: at least the scenario's messages; every parsed message is counted once.
  const inbound = (method: string, status?: string) => (status === undefined ? value(samples, 'ringside_sip_requests_total', { direction: 'in', method }) : value(samples, 'ringside_sip_responses_total', { direction: 'in', method, status }));
  assert.ok(inbound('REGISTER') >= 2 && inbound('INVITE') >= 2 + 1 && inbound('BYE') >= 1, 'REGISTER twice, INVITE three times (one challenged), the carrier\'s BYE');
  assert.ok(inbound('INVITE', '486') >= 1 && inbound('INVITE', '200') >= 1 && inbound('BYE', '200') >= 1);
  const received = value(samples, 'ringside_sip_transport_messages_total', { event: 'received' });
  const malformed = value(samples, 'ringside_sip_transport_messages_total', { event: 'malformed' });
  assert.equal(sum(samples, 'ringside_sip_requests_total', { direction: 'in' }) + sum(samples, 'ringside_sip_responses_total', { direction: 'in' }), received - malformed, 'every parsed message counted once');
  assert.ok(value(samples, 'ringside_sip_transport_messages_total', { event: 'sent' }) >= sum(samples, 'ringside_sip_requests_total', { direction: 'out' }) + sum(samples, 'ringside_sip_responses_total', { direction: 'out' }));
  assert.equal(sum(samples, 'ringside_sip_transaction_timeouts_total'), 0);
  const wait = value(samples, 'ringside_sip_receive_wait_seconds');
  assert.ok(wait !== undefined && wait >= 0 && wait < 0.2, `the SIP socket's receive wait is measured and small at this load: ${wait} s`);

  // Facts were appended: the latency histogram has counts; the webhook figures exist (no subscription here).
  assert.ok(value(samples, 'ringside_event_log_append_seconds_count') > 10);
  assert.equal(value(samples, 'ringside_event_log_backlog'), 0);
  assert.equal(value(samples, 'ringside_realtime_clients'), 0);
  assert.equal(value(samples, 'ringside_webhook_outbox', { state: 'pending' }), 0);
  assert.equal(value(samples, 'ringside_webhook_outbox', { state: 'dead' }), 0);
  assert.equal(value(samples, 'ringside_webhook_deliveries_total', { result: 'delivered' }), 0);
  assert.ok(value(samples, 'ringside_media_rtp_ports', { state: 'free' }) > 0);
  assert.equal(value(samples, 'ringside_media_rtp_ports', { state: 'in_use' }), 0, 'both calls released their ports');
  // The media worker's figures (exact counts are test/media/engine-loopback.test.ts's): present, sane.
  const has = (name: string, labels: Record<string, string>) => samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  for (const event of ['relayed', 'received', 'sent', 'lost']) assert.ok(has('ringside_rtp_packets_total', { event }), event);
  assert.equal(value(samples, 'ringside_rtp_packets_total', { event: 'lost' }), 0);
  for (const stat of ['mean', 'p99', 'max']) {
    assert.ok(has('ringside_media_eventloop_delay_seconds', { stat }), stat);
    const v = value(samples, 'ringside_media_eventloop_delay_seconds', { stat });
    assert.ok(v >= 0 && v < 5, `${stat} ${v}`);
  }

  // The token is required: none, another, or another scheme is refused.
  for (const res of [await scrape(r.httpPort, null), await scrape(r.httpPort, `${TOKEN}x`), await fetch(`http://127.0.0.1:${r.httpPort}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`a:${TOKEN}`).toString('base64')}` } })]) {
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /);
    assert.doesNotMatch(await res.text(), /ringside_calls/);
  }
});

test('without a token, a loopback client may scrape', async (t) => {
  const r = await startInProcess(t, config(await freePort()));
  const { requests } = await checkRequestsAgainstDocument(t, () => `http://127.0.0.1:${r.httpPort}`);
  const res = await scrape(r.httpPort, null);
  assert.equal(res.status, 200);
  assert.deepEqual(requests, ['GET /metrics'], 'the scrape, as the OpenAPI document describes it');
  assert.equal(sum(parsePrometheus(await res.text()), 'ringside_calls_started_total'), 0);
});
