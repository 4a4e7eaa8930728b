/**
 * `ringside serve`: start, log one JSON line per lifecycle step, stop cleanly on SIGINT/SIGTERM.
 * A broken configuration prints every problem (file:line: path: problem) and exits with status 2.
 */
import { ConfigError } from '../config/config-error.js';
import { Ringside, StartError } from '../app/ringside.js';
import { resolveSettings, SettingsError, type RawSettings } from '../app/settings.js';
import { createLogger } from '../log/logger.js';

export const EXIT_CONFIG = 2;

export async function runServe(opts: RawSettings): Promise<number> {
  let settings;
  try {
    settings = resolveSettings(opts, {});
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`ringside: ${err.message}\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const logger = createLogger({ level: settings.logLevel });
  // A bug in one call's handling must not take every other call down: log it loudly and keep serving.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (a bug: please report it)'));
  let ringside: Ringside;
  try {
    ringside = await Ringside.start(settings, logger);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ringside: the configuration is invalid (${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}):\n`);
      for (const p of err.problems) process.stderr.write(`  ${p.message}\n`);
      return EXIT_CONFIG;
    }
    if (err instanceof StartError) {
      process.stderr.write(`ringside: ${err.message}\n`);
      return EXIT_CONFIG;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
      process.stderr.write(`ringside: cannot listen: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'signal received');
      ringside.stop().then(
        () => logger.flush(() => resolve(0)),
        (err: unknown) => {
          logger.error({ err }, 'stop failed');
          logger.flush(() => resolve(1));
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
