/**
 * Recording URLs are capabilities (docs/security.md, "Capability URLs"): `GET /recordings/{id}.wav` needs
 * no login, so the id must be unguessable — 128 random bits — and a guessed or nearly right id must get
 * the same 404 as any other, with nothing in the answer (body, headers, time) telling it was close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRecordingId } from '../../src/media/media-engine.js';
import { startInProcess } from '../support/in-process.js';
import { checkRequestsAgainstDocument } from '../../src/api/openapi/documented-requests.js';

const CONFIG = `
accounts:
  - id: acme
    name: Acme
    users:
      - { id: 11, name: Alice, email: alice@acme.test, password: alice-pass, pin: "1111" }
`;

test('recording ids: rec- and 32 hex digits (128 bits), unique, every bit position balanced', () => {
  const n = 4000;
  const ids = Array.from({ length: n }, () => newRecordingId());
  for (const id of ids) assert.match(id, /^rec-[0-9a-f]{32}$/);
  assert.equal(new Set(ids).size, n);
  // Each of the 128 bits is set in about half of the ids: a fixed or counter-like part would show as a
  // position stuck near 0 or n (binomial sd = sqrt(n)/2 ≈ 32; the bound is ~7 sd).
  const ones = new Array<number>(128).fill(0);
  for (const id of ids) {
    const bytes = Buffer.from(id.slice(4), 'hex');
    for (let bit = 0; bit < 128; bit++) if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) ones[bit]!++;
  }
  for (const [bit, count] of ones.entries()) assert.ok(Math.abs(count - n / 2) < 230, `bit ${bit} set in ${count} of ${n}`);
});

test('a real recording gets a 128-bit id and is served; guessed and near ids get the same 404', async (t) => {
  const r = await startInProcess(t, CONFIG);
  const ep = await r.media.allocateEndpoint('leg-capability');
  const { recordingId } = await r.media.startRecording({ endpointId: ep.endpointId });
  await r.media.stopRecording(recordingId);
  await r.media.closeEndpoint(ep.endpointId);
  assert.match(recordingId, /^rec-[0-9a-f]{32}$/, 'the engine mints the capability id itself');
  const url = (id: string) => `http://127.0.0.1:${r.httpPort}/recordings/${id}.wav`;

  const { requests } = await checkRequestsAgainstDocument(t, () => `http://127.0.0.1:${r.httpPort}`);
  const ok = await fetch(url(recordingId));
  assert.equal(ok.status, 200);
  assert.deepEqual(requests, ['GET /recordings/{file}'], 'as the OpenAPI document describes it');
  assert.equal(ok.headers.get('content-type'), 'audio/wav');
  await ok.arrayBuffer();

  const last = recordingId.at(-1)!;
  const near = recordingId.slice(0, -1) + (last === '0' ? '1' : '0');
  const prefix = recordingId.slice(0, 20);
  const far = newRecordingId();
  const answers = new Map<string, { status: number; body: string; headers: string }>();
  for (const [kind, id] of [['near', near], ['far', far], ['prefix', prefix], ['upper', recordingId.toUpperCase()]] as const) {
    const res = await fetch(url(id));
    const body = await res.text();
    const headers = [...res.headers.entries()].filter(([k]) => !['date', 'content-length', 'keep-alive', 'connection'].includes(k)).map(([k, v]) => `${k}: ${v}`).join('\n');
    answers.set(kind, { status: res.status, body: body.replace(id, '<id>'), headers });
  }
  const reference = answers.get('far')!;
  assert.equal(reference.status, 404);
  assert.deepEqual(JSON.parse(reference.body), { success: false, error: 'not_found', message: 'no recording <id>.wav' });
  for (const [kind, a] of answers) assert.deepEqual(a, reference, `${kind} id answers exactly like a random one`);

  // Time: the id is looked up by exact file name, never compared with stored ids, so a near id costs what
  // a far one does. Interleaved samples, medians compared with a bound loose enough for a busy machine.
  const sample = async (id: string) => {
    const t0 = process.hrtime.bigint();
    await (await fetch(url(id))).arrayBuffer();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const nearMs: number[] = [];
  const farMs: number[] = [];
  for (let i = 0; i < 60; i++) {
    nearMs.push(await sample(near));
    farMs.push(await sample(newRecordingId()));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const [mn, mf] = [median(nearMs), median(farMs)];
  console.log(`# recording 404 median: near id ${mn.toFixed(3)} ms, random id ${mf.toFixed(3)} ms`);
  assert.ok(Math.abs(mn - mf) < Math.max(2, mf), `near ${mn.toFixed(3)} ms vs random ${mf.toFixed(3)} ms`);
});
