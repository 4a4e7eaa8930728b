/**
 * Helpers for the teltel tests: project a fact sequence, validate every event against its schema and the
 * §6 invariants, and print events in the one-line form of the spec's timelines (spec teltel §5:
 * `EVENT phase [leg] P=participants subject/attributes`), so golden tests read like the spec.
 */
import assert from 'node:assert/strict';
import type { Fact } from '../../src/events/model/facts.js';
import type { WireEvent } from '../../src/dialects/dialect.js';
import { WireSchemaValidator } from '../../src/dialects/schema-validator.js';
import { teltelDialect } from '../../src/dialects/teltel/index.js';
import { teltelProblems } from '../../src/dialects/teltel/invariants.js';
import { teltelSchemas } from '../../src/dialects/teltel/schemas.js';

export const validator = new WireSchemaValidator(teltelSchemas);

/** Event names seen by project() in this test file, for the coverage test. */
export const seenNames = new Set<string>();

export function projectAll(facts: readonly Fact[]): WireEvent[] {
  const projector = teltelDialect.createProjector({ publicUrl: 'http://ringside.test' });
  return facts.flatMap((f) => projector.apply(f));
}

/** Projects, checks schemas (always) and the §6 invariants (expecting exactly `expectedProblems`). */
export function project(facts: readonly Fact[], expectedProblems: string[] = []): WireEvent[] {
  const events = projectAll(facts);
  for (const e of events) {
    assert.deepEqual(validator.problems(e), [], `${e.name} ${JSON.stringify(e.payload)}`);
    seenNames.add(e.name);
  }
  assert.deepEqual(teltelProblems(events), expectedProblems);
  return events;
}

/** One event as a spec timeline line. */
export function line(e: WireEvent): string {
  const p = e.payload;
  const parts = [e.name, String(p.phase)];
  if (p.leg !== undefined) parts.push(String(p.leg));
  parts.push(`P=${String(p.participants)}`);
  const data = (p.data ?? {}) as { dial_id?: string };
  if (data.dial_id !== undefined) parts.push(`dial=${data.dial_id}`);
  if (p.subject_type !== undefined) parts.push(`${String(p.subject_type)}:${String(p.subject)}`);
  if (p.subject_user !== undefined) parts.push(`user=${String(p.subject_user)}`);
  if (p.state !== undefined) parts.push(`state=${String(p.state)}`);
  if (p.hanged_by !== undefined) parts.push(`hanged_by=${String(p.hanged_by)}`, `hanged_value=${String(p.hanged_value)}`);
  if (p.hanged_user !== undefined) parts.push(`hanged_user=${String(p.hanged_user)}`);
  if (p.is_answered !== undefined) parts.push(`is_answered=${String(p.is_answered)}`);
  if (p.audio_url !== undefined) parts.push('audio_url');
  return parts.join(' ');
}

export const lines = (events: readonly WireEvent[]): string[] => events.map(line);
