/**
 * The `bandwidth` dialect: the voice API's application callbacks (spec bandwidth-v1, seed 002).
 */
import type { Dialect, DialectOptions, SessionProjector } from '../dialect.js';
import { bandwidthEventNames } from './event-names.js';
import { BandwidthProjector } from './projection.js';

export { bandwidthSchemas } from './schemas.js';
export { bandwidthEventNames, type BandwidthEventName } from './event-names.js';
export { BandwidthProjector } from './projection.js';
export { bandwidthInvariantProblems, type InvariantOptions } from './invariants.js';

export const bandwidthDialect: Dialect = {
  name: 'bandwidth',
  eventNames: bandwidthEventNames,
  createProjector(options: DialectOptions): SessionProjector {
    return new BandwidthProjector(options);
  },
};
