/**
 * A projection module for the event log's writer thread (events/log/projection.ts) with one minimal
 * dialect: one event per fact, numbered per session, and a throw on the digit `X`. Tests of the recorder
 * and the log use it to isolate ordering, ids and restore from the real dialects (which have their own).
 */
import type { Dialect, WireEvent } from '../../src/dialects/dialect.js';
import { DialectProjection } from '../../src/dialects/dialect-projection.js';
import { eventId } from '../../src/dialects/event-id.js';
import type { Projection } from '../../src/events/log/projection.js';

export const echo: Dialect = {
  name: 'teltel',
  eventNames: ['*'],
  createProjector: (options) => {
    let n = 0;
    let accountId = '';
    return {
      apply(f): WireEvent[] {
        if (f.type === 'session.started') accountId = f.accountId;
        if (f.type === 'dtmf' && f.digit === 'X') throw new Error('projection bug');
        const i = n++;
        return [{ dialect: 'teltel', name: f.type, id: eventId(f.sessionId, 'echo', i), sessionId: f.sessionId, accountId, userIds: [], payload: { i, type: f.type, url: options.publicUrl } }];
      },
    };
  },
};

export function createProjection(): Projection {
  return new DialectProjection([echo]);
}

/** This module's URL, for `new SqliteEventLog(file, { projection: ECHO_PROJECTION })`. */
export const ECHO_PROJECTION = import.meta.url;
