/**
 * `ringside serve`: start, log one line per lifecycle step, stop cleanly on SIGINT/SIGTERM.
 * A broken setting or configuration prints every problem (file:line: path: problem) and exits with status 2;
 * nothing a user can fix by editing a flag or a file ends in a stack trace.
 */
import { ConfigError } from '../config/config-error.js';
import { loadConfigFile } from '../config/load-config.js';
import { Ringside, StartError } from '../app/ringside.js';
import { resolveSettings, SettingsError, type RawSettings } from '../app/settings.js';
import { createLogger } from '../log/logger.js';
import { packageInfo } from '../util/package-info.js';
import { EXIT_CONFIG, printConfigProblems } from './config-problems.js';
import { startBanner } from './start-banner.js';

export { EXIT_CONFIG };

export async function runServe(opts: RawSettings): Promise<number> {
  let settings;
  try {
    // Flags already carry their RINGSIDE_* variables (commander); the environment adds the tuning ones.
    settings = resolveSettings(opts, process.env, process.stderr.isTTY === true);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`ringside: ${err.message}\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const logger = createLogger({ level: settings.logLevel, format: settings.logFormat });
  // A bug in one call's handling must not take every other call down: log it loudly and keep serving.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (a bug: please report it)'));
  let ringside: Ringside;
  try {
    ringside = await Ringside.start(settings, logger);
  } catch (err) {
    if (err instanceof ConfigError) {
      printConfigProblems(err);
      return EXIT_CONFIG;
    }
    if (err instanceof StartError) {
      process.stderr.write(`ringside: ${err.message}\n`);
      return EXIT_CONFIG;
    }
    const e = err as NodeJS.ErrnoException;
    // A host that does not resolve or is not this machine's: the --host setting is wrong.
    if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EADDRNOTAVAIL') {
      process.stderr.write(`ringside: cannot listen on ${settings.host}: ${e.code === 'EADDRNOTAVAIL' ? 'not an address of this machine' : 'the host name does not resolve'} (--host, RINGSIDE_HOST)\n`);
      return EXIT_CONFIG;
    }
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
      process.stderr.write(`ringside: cannot listen: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
  if (settings.logFormat === 'pretty') {
    const config = settings.configFile === undefined ? undefined : loadConfigFile(settings.configFile);
    process.stderr.write(
      startBanner({
        version: packageInfo().version,
        httpUrl: `http://${urlHost(settings.host === '0.0.0.0' || settings.host === '::' ? ringside.sip.stack.publicHost : settings.host)}:${ringside.httpPort}`,
        publicUrl: ringside.publicUrl,
        sip: { host: ringside.sip.stack.publicHost, port: ringside.sip.port, protocols: ['udp', 'tcp'] },
        sipWsPath: settings.sipWsPath,
        ...(ringside.sip.stack.tlsPort > 0 ? { sipTlsPort: ringside.sip.stack.tlsPort } : {}),
        ...(ringside.httpsPort !== undefined ? { httpsPort: ringside.httpsPort } : {}),
        dataDir: ringside.settings.dataDir,
        ...(settings.configFile !== undefined ? { configFile: settings.configFile } : {}),
        ...(config ? { config } : {}),
      }),
    );
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

/** An IPv6 address in a URL is bracketed (RFC 3986 3.2.2). */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
