import { pino, type Logger } from 'pino';
import { prettyStream } from './pretty-line.js';

export type { Logger };

/**
 * Structured logs: one JSON line per event worth logging. Call sites add `sessionId`/`legId` through
 * child loggers so a line always says which call it concerns.
 */
export function createLogger(options: { level?: string; name?: string; destination?: NodeJS.WritableStream; format?: 'json' | 'pretty' } = {}): Logger {
  const level = options.level ?? process.env.RINGSIDE_LOG_LEVEL ?? 'info';
  // `pretty` (pretty-line.ts) is for a person at a terminal; JSON lines for everything else.
  const destination = options.destination ?? (options.format === 'pretty' ? prettyStream() : pino.destination({ dest: 2, sync: false }));
  return pino({ name: options.name ?? 'ringside', level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** A logger that writes nothing, for unit tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
