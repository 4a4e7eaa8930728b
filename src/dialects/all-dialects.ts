import type { Dialect } from './dialect.js';
import { realtimeDialect } from './realtime/index.js';
import { teltelDialect } from './teltel/index.js';
import { bandwidthDialect } from './bandwidth/index.js';

/** Every dialect Ringside projects facts into (ARCHITECTURE.md: the three vocabularies). */
export const allDialects: readonly Dialect[] = [realtimeDialect, teltelDialect, bandwidthDialect];
