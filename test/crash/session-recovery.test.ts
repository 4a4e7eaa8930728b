/**
 * Crash recovery at start (src/app/crash-recovery.ts): a log left by a dead process holds a session whose
 * caller leg was answered (its dialog state in `leg.answered`) while another leg was still ringing, and an
 * ended session whose report entry was never written. Ringside started on that data dir sends a well-formed
 * BYE in the stored dialog to the peer (a live UDP socket here), closes the session in every dialect with
 * the `server-restart` cause, and writes both report entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ringside } from '../../src/app/ringside.js';
import { resolveSettings } from '../../src/app/settings.js';
import { silentLogger } from '../../src/log/logger.js';
import { SqliteEventLog } from '../../src/events/log/sqlite-event-log.js';
import { FactRecorder } from '../../src/dialects/fact-recorder.js';
import { WRITER_PROJECTION } from '../../src/dialects/writer-projection.js';
import { parseMessage } from '../../src/sip/message/parser.js';
import type { SipRequest } from '../../src/sip/message/sip-message.js';
import type { Fact, LegDialog } from '../../src/events/model/facts.js';
import { callConfig, ALICE } from '../support/call-config.js';

const LINE = '+15550100';
const CALLER = '+15557654321';

function settings(dir: string, config?: string) {
  const base = 20000 + Math.floor(Math.random() * 20) * 2000;
  return resolveSettings({ ...(config ? { config } : {}), data: join(dir, 'data'), host: '127.0.0.1', httpPort: '0', sipPort: '0', rtpPorts: `${base}-${base + 999}` }, {});
}

function started(sessionId: string, callId: string, at: number): Fact {
  return { sessionId, at, type: 'session.started', accountId: 'demo', accountcode: 'demo', kind: 'inbound', callId, from: { kind: 'phone', number: CALLER }, to: { kind: 'local', number: LINE }, line: { id: 'main', name: 'Main', number: LINE }, userIds: ['501'] };
}

test('a session open in the log is torn down by BYE and closed in every dialect; a missing report is written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-recovery-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, callConfig(5999, `
    numbers: [{ number: "${LINE}" }]
    users:
      - ${ALICE}
    lines:
      - { id: main, name: Main, number: "${LINE}", ring: { strategy: ring-all, users: [501], timeoutSeconds: 5, fallback: hangup } }
`));
  // Provisioning in the store, as a first run leaves it.
  await (await Ringside.start(settings(dir, configFile), silentLogger())).stop();

  // The peer of the cut call: answers BYE with 200, as a phone still up would.
  const peer = createSocket('udp4');
  t.after(() => peer.close());
  const byes: { req: SipRequest; raw: string; from: RemoteInfo }[] = [];
  peer.on('message', (m, from) => {
    const req = parseMessage(m);
    if (req.kind !== 'request') return;
    byes.push({ req, raw: m.toString('utf8'), from });
    const echo = m.toString('utf8').split('\r\n').filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
    peer.send(Buffer.from(['SIP/2.0 200 OK', ...echo, 'Content-Length: 0', '', ''].join('\r\n')), from.port, from.address);
  });
  const peerPort = await new Promise<number>((r) => peer.bind(0, '127.0.0.1', () => r(peer.address().port)));

  // What the dead process had logged, recorded as it records (every dialect's events with the facts),
  // without the report writer: neither session has its entry.
  const dialog: LegDialog = {
    callId: 'cut-call@127.0.0.2',
    localTag: 'ringside-tag',
    remoteTag: 'carrier-tag',
    localUri: `<sip:${LINE}@127.0.0.1>`,
    remoteUri: `"Pat" <sip:${CALLER}@127.0.0.2>`,
    remoteTarget: `sip:${CALLER}@127.0.0.1:${peerPort}`,
    routeSet: [],
    localCSeq: 7,
    transport: 'udp',
    destination: { host: '127.0.0.1', port: peerPort },
  };
  const t0 = Date.now() - 5000;
  const open = 'a'.repeat(32);
  const ended = 'b'.repeat(32);
  {
    const events = new SqliteEventLog(join(dir, 'data', 'events.db'), { projection: WRITER_PROJECTION });
    events.configureProjection({ publicUrl: 'http://127.0.0.1:1' });
    const recorder = new FactRecorder({ events });
    const at = (n: number) => t0 + n * 100;
    await recorder.record(
      started(open, `${Math.floor(t0 / 1000)}.1.1`, at(0)),
      { sessionId: open, at: at(1), type: 'leg.created', legId: `${open}.1`, role: 'caller', party: { kind: 'phone', number: CALLER }, direction: 'in' },
      { sessionId: open, at: at(2), type: 'leg.created', legId: `${open}.2`, role: 'callee', party: { kind: 'sip', number: '101', userId: '501', name: 'Alice' }, direction: 'out' },
      { sessionId: open, at: at(3), type: 'leg.ringing', legId: `${open}.2` },
      { sessionId: open, at: at(4), type: 'leg.answered', legId: `${open}.1`, dialog },
      { sessionId: open, at: at(5), type: 'leg.media-ready', legId: `${open}.1`, codec: 'PCMU' },
    );
    await recorder.record(
      started(ended, `${Math.floor(t0 / 1000)}.2.2`, at(0)),
      { sessionId: ended, at: at(1), type: 'leg.created', legId: `${ended}.1`, role: 'caller', party: { kind: 'phone', number: CALLER }, direction: 'in' },
      { sessionId: ended, at: at(2), type: 'leg.ended', legId: `${ended}.1`, by: 'remote', cause: 'originator-cancel' },
      { sessionId: ended, at: at(3), type: 'session.ended', hangupBy: { kind: 'phone', number: CALLER }, hangupLegId: `${ended}.1`, cause: 'originator-cancel' },
    );
    await events.close();
  }

  const r = await Ringside.start(settings(dir), silentLogger());
  t.after(() => r.stop());
  await r.reports.flush();

  // One BYE, in the stored dialog (RFC 3261 §12.2.1.1), from Ringside's SIP port.
  assert.equal(byes.length, 1, byes.map((b) => b.raw).join('\n---\n'));
  const bye = byes[0]!.req;
  assert.equal(bye.method, 'BYE');
  assert.equal(bye.uri, dialog.remoteTarget, 'Request-URI is the remote target');
  assert.equal(bye.callId, dialog.callId);
  assert.equal(bye.fromTag, dialog.localTag);
  assert.equal(bye.toTag, dialog.remoteTag);
  assert.match(bye.headers.get('from') ?? '', new RegExp(`^<sip:\\${LINE}@127\\.0\\.0\\.1>;tag=ringside-tag$`));
  assert.match(bye.headers.get('to') ?? '', new RegExp(`^"Pat" <sip:\\${CALLER}@127\\.0\\.0\\.2>;tag=carrier-tag$`));
  assert.equal(bye.cseq.method, 'BYE');
  assert.ok(bye.cseq.seq > dialog.localCSeq, `CSeq ${bye.cseq.seq} above the stored ${dialog.localCSeq}`);
  assert.match(bye.headers.get('via') ?? '', new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${r.sip.port};branch=z9hG4bK`));
  assert.equal(byes[0]!.from.port, r.sip.port);

  // Closed in the log, in every dialect.
  assert.deepEqual(await r.events.openSessions(), []);
  const facts = await r.events.sessionFacts(open);
  assert.deepEqual(facts.slice(6).map((f) => [f.type, 'legId' in f ? f.legId : '', 'cause' in f ? f.cause : '']), [
    ['leg.ended', `${open}.1`, 'server-restart'],
    ['leg.failed', `${open}.2`, 'server-restart'],
    ['session.ended', '', 'server-restart'],
  ]);
  const events = await r.events.read(0, { sessionId: open }, 100);
  const teltel = events.filter((e) => e.dialect === 'teltel');
  assert.deepEqual(teltel.map((e) => (e.name === 'RINGRESULT' ? `RINGRESULT:${String(e.payload.state)}` : e.name)), ['START', 'RING', 'READY', 'RINGRESULT:ABORT', 'COMPLETED']);
  assert.deepEqual([teltel.at(-1)!.payload.hanged_by, teltel.at(-1)!.payload.hanged_value], ['local', LINE]);
  const realtime = events.filter((e) => e.dialect === 'realtime');
  const end = realtime.filter((e) => e.name.endsWith('.end'));
  assert.deepEqual(end.map((e) => e.name), ['voice.incoming.end']);
  assert.equal(end[0]!.payload.disposition, 'missed', 'Ringside answered it itself; nobody took the call');
  assert.equal(new Set(events.map((e) => e.id)).size, events.length);

  // Both report entries: the recovered session's (written by the report writer) and the swept one.
  const recovered = await r.store.getReportEntry('demo', `${Math.floor(t0 / 1000)}.1.1`);
  assert.equal(recovered?.kind, 'call', 'the recovered call has its entry');
  assert.deepEqual(recovered.kind === 'call' && [recovered.call.disposition, recovered.call.cause], ['missed', 'server-restart']);
  const swept = await r.store.getReportEntry('demo', `${Math.floor(t0 / 1000)}.2.2`);
  assert.equal(swept?.kind, 'call', 'the sweep wrote the entry the crash lost');
  assert.equal(swept.kind === 'call' && swept.call.disposition, 'canceled');
});
