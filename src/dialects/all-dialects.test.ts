import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allDialects } from './all-dialects.js';
import { WRITER_PROJECTION } from './writer-projection.js';
import { realtimeSchemas } from './realtime/index.js';
import { teltelSchemas } from './teltel/index.js';
import { bandwidthSchemas } from './bandwidth/index.js';
import { WireSchemaValidator } from './schema-validator.js';
import { FactRecorder } from './fact-recorder.js';
import { SqliteEventLog } from '../events/log/sqlite-event-log.js';
import { randomSession } from '../../test/support/random-sessions.js';

const schemas = { realtime: realtimeSchemas, teltel: teltelSchemas, bandwidth: bandwidthSchemas };

test('every event name of every dialect has exactly one schema', () => {
  for (const d of allDialects) assert.deepEqual(Object.keys(schemas[d.name]).sort(), [...d.eventNames].sort(), d.name);
  assert.equal(allDialects.find((d) => d.name === 'realtime')?.eventNames.length, 23);
  assert.equal(allDialects.find((d) => d.name === 'teltel')?.eventNames.length, 7);
});

test('random sessions recorded through all dialects land in the log, each event valid against its schema', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-all-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = new SqliteEventLog(join(dir, 'events.db'), { synchronous: 'NORMAL', projection: WRITER_PROJECTION });
  log.configureProjection({ publicUrl: 'http://127.0.0.1:8080' });
  t.after(() => log.close());
  const recorder = new FactRecorder({ events: log });
  const validators = Object.fromEntries(Object.entries(schemas).map(([k, v]) => [k, new WireSchemaValidator(v)]));
  // Sessions interleaved fact by fact, as concurrent calls are recorded.
  const sessions = Array.from({ length: 300 }, (_, i) => randomSession(i * 7919));
  const longest = Math.max(...sessions.map((s) => s.length));
  for (let i = 0; i < longest; i++) await Promise.all(sessions.flatMap((s) => (s[i] ? [recorder.record(s[i]!)] : [])));
  const entries = await log.read(0, {}, 1_000_000);
  const byDialect = new Map<string, number>();
  for (const e of entries) {
    assert.deepEqual(validators[e.dialect]!.problems(e), [], `${e.dialect} ${e.name}`);
    byDialect.set(e.dialect, (byDialect.get(e.dialect) ?? 0) + 1);
  }
  for (const d of ['realtime', 'teltel', 'bandwidth']) assert.ok((byDialect.get(d) ?? 0) > 0, `${d} events recorded`);
  assert.equal(recorder.openSessions, 0);
  // Positions are gap-free and per-session order is the projection order.
  assert.deepEqual(entries.map((e) => e.position), entries.map((_, i) => i + 1));
});
