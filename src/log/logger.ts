import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs: one JSON line per event worth logging. Call sites add `sessionId`/`legId` through
 * child loggers so a line always says which call it concerns.
 */
export function createLogger(options: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.RINGSIDE_LOG_LEVEL ?? 'info';
  return pino(
    { name: options.name ?? 'ringside', level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    options.destination ?? pino.destination({ dest: 2, sync: false }),
  );
}

/** A logger that writes nothing, for unit tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
