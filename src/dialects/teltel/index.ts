/**
 * The teltel dialect (seed 001, spec teltel-events.md): call-centre webhook events START … COMPLETED,
 * projected from canonical call facts. Texts produce nothing in this dialect.
 */
import type { Dialect, DialectOptions, SessionProjector } from '../dialect.js';
import { TeltelProjector } from './projection.js';
import { TELTEL_EVENT_NAMES } from './wire-values.js';

export const teltelDialect: Dialect = {
  name: 'teltel',
  eventNames: TELTEL_EVENT_NAMES,
  // Payloads carry no URLs of this Ringside (audio_url comes from the recording fact), so options are unused.
  createProjector(_options: DialectOptions): SessionProjector {
    return new TeltelProjector();
  },
};

export { teltelSchemas } from './schemas.js';
export { TeltelProjector } from './projection.js';
export { TELTEL_EVENT_NAMES, type TeltelEventName } from './wire-values.js';
export { teltelProblems } from './invariants.js';
