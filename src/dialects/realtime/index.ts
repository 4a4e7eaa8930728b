/**
 * The `realtime` dialect: TeleTracker RealTime API events (spec realtime-api.md), projected from canonical
 * facts one session at a time.
 */
import type { Dialect, DialectOptions, SessionProjector } from '../dialect.js';
import { REALTIME_EVENT_NAMES } from './event-names.js';
import { RealtimeProjector } from './projection.js';

export const realtimeDialect: Dialect = {
  name: 'realtime',
  eventNames: REALTIME_EVENT_NAMES,
  // No payload of this dialect holds a URL, so the options are not needed.
  createProjector(_options: DialectOptions): SessionProjector {
    return new RealtimeProjector();
  },
};

export { realtimeSchemas } from './schemas.js';
export { REALTIME_EVENT_NAMES, type RealtimeEventName } from './event-names.js';
export { RealtimeProjector } from './projection.js';
