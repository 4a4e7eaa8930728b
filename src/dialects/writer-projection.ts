/**
 * The module the event log's writer thread imports (events/log/projection.ts): every dialect, projected
 * where the events are written. `WRITER_PROJECTION` is its URL, for the log's owner (app/ringside.ts).
 */
import { siblingModule } from '../util/worker-thread.js';
import { allDialects } from './all-dialects.js';
import { DialectProjection } from './dialect-projection.js';
import type { Projection } from '../events/log/projection.js';

export function createProjection(): Projection {
  return new DialectProjection(allDialects);
}

export const WRITER_PROJECTION = siblingModule(import.meta.url, 'writer-projection');
