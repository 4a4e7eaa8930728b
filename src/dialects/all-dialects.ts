import type { Dialect } from './dialect.js';

/** Every dialect Ringside projects facts into. Filled in as the dialect projections land. */
export const allDialects: readonly Dialect[] = [];
