/**
 * `ringside demo`: a scripted tour for newcomers (docs/demo.md). Simulated phones and a simulated carrier,
 * built on Ringside's own SIP stack and media engine, make one call of each kind against a running Ringside
 * (or, with `--standalone`, one started in this process), and the RealTime events of each call are printed
 * as a WebSocket client receives them. Exit status 0 when every step passed, 1 otherwise, 2 for bad options.
 */
import { createLogger, silentLogger, type Logger } from '../log/logger.js';
import { DemoError } from '../demo/errors.js';
import { EventFeed } from '../demo/event-feed.js';
import { RingsideApi } from '../demo/ringside-api.js';
import { startStandalone, type StandaloneRingside } from '../demo/standalone-ringside.js';
import { TourCast } from '../demo/tour-cast.js';
import { TourOutput } from '../demo/tour-output.js';
import { TOUR_STEPS } from '../demo/tour-steps.js';
import { printSummary, runTour } from '../demo/tour.js';

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface DemoOptions {
  url?: string;
  sip?: string;
  carrier?: string;
  standalone?: boolean;
  logLevel?: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The login whose account stream the tour shows (examples/demo.yaml: alice is the account's admin). */
const VIEWER = { username: 'alice@demo.test', password: 'alice-pass' };

export function parseHostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^([^:\s]+):([0-9]{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new DemoUsageError(`${flag}: '${value}' is not HOST:PORT`);
  return { host: m[1]!, port };
}

class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

export async function runDemo(opts: DemoOptions, out = new TourOutput(process.stdout)): Promise<number> {
  let sip: { host: string; port: number };
  let carrier: { host: string; port: number };
  const url = (opts.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  try {
    sip = parseHostPort(opts.sip ?? '127.0.0.1:5060', '--sip');
    carrier = parseHostPort(opts.carrier ?? '127.0.0.2:5090', '--carrier');
    if (!/^https?:\/\/[^/\s]+$/.test(url)) throw new DemoUsageError(`--url: '${url}' is not an http(s) base URL`);
    if (opts.logLevel !== undefined && !LOG_LEVELS.includes(opts.logLevel)) throw new DemoUsageError(`--log-level: '${opts.logLevel}' is not one of ${LOG_LEVELS.join(', ')}`);
  } catch (err) {
    if (!(err instanceof DemoUsageError)) throw err;
    process.stderr.write(`ringside demo: ${err.message}\n`);
    return EXIT_USAGE;
  }
  // Ringside's structured logs (and the tour's own SIP and media) stay silent unless asked for.
  const logger: Logger = opts.logLevel ? createLogger({ level: opts.logLevel }) : silentLogger();

  if (!opts.standalone && !(await new RingsideApi(url).healthy())) {
    process.stderr.write(
      `ringside demo: nothing answers at ${url} (GET /health).\n` +
        'Start Ringside with the demo provisioning first, in another terminal (the README\'s first command):\n\n' +
        '    npm install && npm start\n\n' +
        'or let the tour start its own Ringside in this process:\n\n' +
        '    ringside demo --standalone        (in this checkout: node dist/src/cli/main.js demo --standalone)\n',
    );
    return EXIT_FAILED;
  }

  let cast: TourCast | undefined;
  let standalone: StandaloneRingside | undefined;
  let feed: EventFeed | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      feed?.close();
      await cast?.close();
      await standalone?.stop();
    })());
  const interrupted = (): void => {
    out.line();
    out.line('Interrupted: hanging up, unregistering the phones and stopping.');
    out.mute();
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const started = Date.now();
  try {
    try {
      // The carrier first: a standalone Ringside is configured with the port it got.
      cast = await TourCast.open({ carrier: { host: carrier.host, port: opts.standalone ? 0 : carrier.port }, say: out.say, logger });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
        throw new DemoError(`the simulated carrier cannot listen on ${carrier.host}:${opts.standalone ? 'any port' : carrier.port}: ${(err as Error).message}${code === 'EADDRINUSE' ? ' (is another demo running?)' : ''}`);
      }
      throw err;
    }
    let httpUrl = url;
    if (opts.standalone) {
      standalone = await startStandalone({ carrier: { host: carrier.host, port: cast.carrierPort }, logger });
      httpUrl = standalone.httpUrl;
      sip = standalone.sip;
    }
    await cast.meet(sip);
    const api = new RingsideApi(httpUrl);
    await api.login(VIEWER.username, VIEWER.password);
    feed = await EventFeed.open(httpUrl, api.token);
    feed.onEvent((e) => out.event(e));

    out.line('Ringside demo tour');
    out.line(`  Ringside   ${httpUrl} (REST, RealTime WebSocket at ${httpUrl.replace(/^http/, 'ws')}/), SIP ${sip.host}:${sip.port}${standalone ? ' — standalone: in this process, examples/demo.yaml, temporary data' : ''}`);
    out.line(`  phones     ${cast.phones.map((p) => `${p.name} ${p.user.username} (${p.address})`).join(', ')}`);
    out.line(`  carrier    ${cast.carrier.address} (the trunk of examples/demo.yaml)`);
    out.line(`  events     the account stream of ${VIEWER.username}: one line per accountevent, as the WebSocket delivers it`);

    const results = await runTour({ cast, api, feed, out, steps: TOUR_STEPS });
    return printSummary(out, results, Date.now() - started) ? 0 : EXIT_FAILED;
  } catch (err) {
    if (!(err instanceof DemoError)) throw err;
    process.stderr.write(`ringside demo: ${err.message}\n`);
    return EXIT_FAILED;
  } finally {
    await cleanUp();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}
