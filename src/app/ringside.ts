/**
 * The composition root: opens the store and the event log under the data dir, loads provisioning, builds
 * every service (recorder and reports, webhooks, SIP, texts, media, the switch), mounts the API once, and
 * starts listening. Everything started goes on one list, in start order; `stop()` (and a failed start)
 * closes that list in reverse, so what a service needs while it stops (the log and the report writer for
 * the switch's last facts, SIP and media for its BYEs) is still open.
 */
import type { Transcriber } from '../media/transcriber.js';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfigFile } from '../config/load-config.js';
import type { Store, ProvisioningCounts } from '../store/store.js';
import type { EventLog } from '../events/log/event-log.js';
import { FactRecorder } from '../dialects/fact-recorder.js';
import { ReportWriter } from '../dialects/reports/report-writer.js';
import { createHttpServer } from '../api/http-server.js';
import { ringsideApi } from '../api/index.js';
import { RealtimeSocketServer, type RealtimeSocketOptions } from '../delivery/realtime-socket.js';
import { MessagingService } from '../messaging/messaging-service.js';
import { MmsMediaStore } from '../messaging/mms-media-store.js';
import { SipTextCarrier } from '../messaging/sip-text-carrier.js';
import { SipDeviceDelivery } from '../messaging/sip-device-delivery.js';
import { SipService } from './sip-service.js';
import { OverloadGuard } from '../sip/overload-guard.js';
import { closeCutSessions, recoverAfterCrash } from './crash-recovery.js';
import { openEventLog } from './open-event-log.js';
import { DuplicateNodeError, SessionTakeover } from './session-takeover.js';
import { openStorage, seedProvisioning, type SeedOutcome } from './storage.js';
import type { WebhookOutbox } from '../store/webhook-outbox.js';
import { WebhookEngine } from '../delivery/webhooks/webhook-engine.js';
import { MediaEngineClient } from '../media/media-engine-client.js';
import type { MediaControl } from '../media/media-control.js';
import { CampaignRunner } from '../dialer/campaign-runner.js';
import { campaignRules } from '../dialer/dialer-rules.js';
import { ABANDON_BOUND_MS } from '../dialer/pacing.js';
import { Switch } from '../switch/switch.js';
import { EventLogBxmlPort } from './bxml-port.js';
import { packageInfo } from '../util/package-info.js';
import { probeTts, type TtsStatus } from '../media/tts-probe.js';
import type { Logger } from '../log/logger.js';
import type { Settings } from './settings.js';
import { advertisedAddresses, urlHost } from './advertised-addresses.js';
import { loadTlsCredentials, TlsCredentialsError, type LoadedTls } from './tls-credentials.js';
import { routeUpgrades } from './upgrade-router.js';
import { SipWebSocketAcceptor } from './sip-websocket-acceptor.js';
import { RingsideMetrics } from '../api/metrics/ringside-metrics.js';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';


/** How long the dialing node's lease lasts without renewal (a cluster's survivor takes over the
 *  campaigns after it; the runner renews it every tick). */
const DIALER_LEASE_MS = 10_000;

export class StartError extends Error {
  override readonly name = 'StartError';
}

/** Something started that must be closed at stop. */
interface Running {
  name: string;
  close(): Promise<void>;
}

/** Every service of a running Ringside. */
export interface RingsideServices {
  settings: Settings;
  logger: Logger;
  store: Store;
  /** The durable event log (facts and wire events). */
  events: EventLog;
  recorder: FactRecorder;
  reports: ReportWriter;
  outbox: WebhookOutbox;
  webhooks: WebhookEngine;
  sip: SipService;
  messaging: MessagingService;
  media: MediaControl;
  calls: Switch;
  http: FastifyInstance;
  realtime: RealtimeSocketServer;
  /** The base URL events and links name (recordings, MMS components). */
  publicUrl: string;
  /** The HTTPS port (API, RealTime API, SIP over secure WebSocket) when TLS is on. */
  httpsPort?: number;
}

export interface RingsideStartOptions {
  realtime?: RealtimeSocketOptions;
  /** Speech to text for voice-API transcriptions; default pocketsphinx (media/transcriber.ts). */
  transcriber?: Transcriber;
  /** The switch's clock (ms; default Date.now): what call flows' office hours are judged by. Tests set it;
   *  there is no command-line flag for it. */
  now?: () => number;
}

export class Ringside implements RingsideServices {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly store: Store;
  readonly events: EventLog;
  readonly recorder: FactRecorder;
  readonly reports: ReportWriter;
  readonly outbox: WebhookOutbox;
  readonly webhooks: WebhookEngine;
  readonly sip: SipService;
  readonly messaging: MessagingService;
  readonly media: MediaControl;
  readonly calls: Switch;
  readonly http: FastifyInstance;
  readonly realtime: RealtimeSocketServer;
  readonly publicUrl: string;
  readonly httpsPort: number | undefined;
  readonly #running: readonly Running[];

  private constructor(services: RingsideServices, running: readonly Running[]) {
    this.settings = services.settings;
    this.logger = services.logger;
    this.store = services.store;
    this.events = services.events;
    this.recorder = services.recorder;
    this.reports = services.reports;
    this.outbox = services.outbox;
    this.webhooks = services.webhooks;
    this.sip = services.sip;
    this.messaging = services.messaging;
    this.media = services.media;
    this.calls = services.calls;
    this.http = services.http;
    this.realtime = services.realtime;
    this.publicUrl = services.publicUrl;
    this.httpsPort = services.httpsPort;
    this.#running = running;
  }

  static async start(settings: Settings, logger: Logger, options: RingsideStartOptions = {}): Promise<Ringside> {
    const dataDir = resolve(settings.dataDir);
    for (const d of [dataDir, join(dataDir, 'recordings'), join(dataDir, 'media')]) mkdirSync(d, { recursive: true });
    const config = settings.configFile === undefined ? undefined : loadConfigFile(settings.configFile);
    // TLS before anything opens: a bad certificate path stops the start with one line (serve-command.ts, exit 2).
    let tls: LoadedTls | undefined;
    try {
      tls = settings.tls ? loadTlsCredentials(settings.tls, dataDir, logger) : undefined;
    } catch (err) {
      if (err instanceof TlsCredentialsError) throw new StartError(err.message);
      throw err;
    }
    const running: Running[] = [];
    const started = <T extends { close(): Promise<void> }>(name: string, service: T): T => {
      running.push({ name, close: () => service.close() });
      return service;
    };
    try {
      // SQLite in the data directory, or PostgreSQL shared by the nodes of a cluster (storage.ts).
      const storage = await openStorage(settings, dataDir);
      running.push({ name: 'storage', close: () => storage.close() });
      const store = started('store', storage.store);
      let counts: ProvisioningCounts;
      // The file seeds the store; a restart with the same file keeps REST edits (storage.ts seedProvisioning).
      let seed: SeedOutcome | undefined;
      if (config) ({ outcome: seed, counts } = await seedProvisioning(store, config));
      else {
        counts = await store.counts();
        if (counts.accounts === 0) throw new StartError(`no provisioning in ${dataDir}: start once with --config FILE (see examples/demo.yaml)`);
      }
      const provisioningLog = { configFile: settings.configFile ?? null, dataDir, ...counts };
      if (seed === 'replaced') logger.warn(provisioningLog, 'the configuration file changed since it last seeded the store: its provisioning replaces the store\'s, and REST edits made since are overwritten');
      else logger.info(provisioningLog, seed === 'seeded' ? 'provisioning loaded' : 'provisioning kept from the store');
      const server = await store.serverConfig();

      // SQLite in the data directory, or NATS JetStream shared by the nodes of a cluster (open-event-log.ts).
      const log = await openEventLog(settings, dataDir, logger);
      const events = started('event log', log.events);
      const outbox = started('webhook outbox', storage.outbox);
      // The public URL may depend on the port the OS picks (port 0): fixed once listening, before any fact.
      const dialectOptions = { publicUrl: '' };
      // Report entries are a projection too: written when a session's end is durable in the log.
      const reports = started('report writer', new ReportWriter(store, logger.child({ component: 'reports' })));
      // Prometheus metrics (api/metrics/): calls counted from durable facts, append latency by the recorder.
      const metrics = new RingsideMetrics();
      const recorder = new FactRecorder({ events, logger: logger.child({ component: 'recorder' }), observers: [reports, metrics.calls], appended: metrics.appended });
      // In a cluster one node at a time feeds and delivers: the holder of the webhook lease (docs/scale-out.md).
      const webhooks = new WebhookEngine({ events, store, outbox, logger: logger.child({ component: 'webhooks' }), ...(storage.webhookLease ? { lease: storage.webhookLease } : {}) });
      await webhooks.start();
      running.push({ name: 'webhooks', close: () => webhooks.stop() });

      // A missing espeak-ng is said once, at start, and in /health (not found call by call).
      const ttsProbe = probeTts().then((status) => {
        if (!status.available) logger.warn({ component: 'tts', reason: status.reason }, 'text-to-speech unavailable: calls that speak text will have no audio for it');
        return status;
      });
      const sipLogger = logger.child({ component: 'sip' });
      const overload = new OverloadGuard({ maxLoopDelayMs: settings.overload.maxLoopDelayMs, maxUtilization: settings.overload.maxUtilizationPercent / 100, maxLateInvitesPerSecond: settings.overload.maxLateInvitesPerSecond, maxSocketDelayMs: settings.overload.maxSocketDelayMs, retryAfterSeconds: settings.overload.retryAfterSeconds, queue: { depth: () => events.backlog, max: settings.overload.maxLogBacklog } });
      running.push({ name: 'overload guard', close: async () => overload.close() });
      const addresses = advertisedAddresses(settings, server);
      const sipOptions = {
        host: settings.host,
        port: settings.sipPort,
        ...(addresses.sip !== undefined ? { publicHost: addresses.sip } : {}),
        realm: server.sipRealm,
        algorithms: server.sipDigestAlgorithms,
        overload,
        udpReceiveBufferBytes: settings.sipUdpReceiveBufferBytes,
        trustedProxies: server.trustedProxies ?? [],
        ...(tls && settings.tls ? { tls: { cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}), port: settings.tls.sipPort } } : {}),
        webSocket: { ws: true, wss: tls !== undefined },
      };
      const sip = started('sip', await SipService.start({ ...sipOptions, ...(server.sipDigestLimits ? { digestLimits: server.sipDigestLimits } : {}) }, store, sipLogger));
      const mmsMedia = new MmsMediaStore(join(dataDir, 'media'));
      const messaging = new MessagingService({
        store,
        facts: recorder,
        media: mmsMedia,
        carrier: new SipTextCarrier(sip.stack, store),
        devices: new SipDeviceDelivery(sip.stack, sip.registrar),
        logger: logger.child({ component: 'messaging' }),
        carrierTimeoutMs: settings.textCarrierTimeoutSeconds * 1000,
      });
      sip.enableMessaging(store, messaging, sipLogger);
      // Media runs in a worker thread: relaying on this event loop delayed SIP and the API by hundreds of ms
      // from a few hundred calls (docs/performance.md, "Media off the main thread").
      const media = started('media', await MediaEngineClient.start({ rtpPorts: settings.rtpPorts, ...(addresses.media !== undefined ? { advertisedAddress: addresses.media } : {}), dataDir, logLevel: logger.level }));
      media.on('exit', (code) => media.closing || logger.error({ component: 'media', code }, 'media worker exited; calls cannot carry audio until Ringside restarts'));
      const calls = started(
        'switch',
        new Switch({
          stack: sip.stack,
          registrar: sip.registrar,
          store,
          media,
          facts: recorder,
          auth: { realm: server.sipRealm, algorithms: server.sipDigestAlgorithms, credentials: sip.credentials },
          logger: logger.child({ component: 'switch' }),
          recordingUrl: (id) => `${dialectOptions.publicUrl}/recordings/${id}.wav`,
          voiceAnswerTimeoutMs: settings.voiceAnswerTimeoutSeconds * 1000,
          ...(options.transcriber ? { transcriber: options.transcriber } : {}),
          ...(options.now ? { now: options.now } : {}),
          // Call flows' `{ file }` prompts and hold music (docs/call-centre.md "Call flows").
          mediaDir: join(dataDir, 'media'),
        }),
      );

      // spec bandwidth §1.2: applications with GET + autoAnswer may be BXML applications (bxml-port.ts).
      calls.voice.useBxml(new EventLogBxmlPort(events, `Ringside/${packageInfo().version}`));

      // Every service is built: the API is mounted once, each family given what it uses (api/index.ts).
      // HTTP and the WebSocket API close first at stop: no request reaches a service that is stopping.
      const tts: TtsStatus = await ttsProbe;
      const http = started('http', createHttpServer({ logger }));
      const metricsOptions = { metrics, ...(settings.metricsToken !== undefined ? { token: settings.metricsToken } : {}) };
      await http.register(ringsideApi, { store, events, recorder, webhooks, messaging, mmsMedia, calls, voice: calls.voice, recordings: media, mediaPorts: () => media.portPool(), overload: () => overload.status, tts: () => tts, metrics: metricsOptions, publicUrl: () => dialectOptions.publicUrl, provisioningChanged: (resource) => {
        // A trunk made or changed over REST registers (or stops) at once, as one from the file does at start.
        if (resource === 'trunks') store.listTrunks().then((trunks) => sip.syncTrunkRegistrations(trunks, sipLogger), (err: unknown) => logger.warn({ err }, 'reading trunks after a change failed'));
      } });
      const realtime = started('realtime', new RealtimeSocketServer({ store, events, logger: logger.child({ component: 'realtime-ws' }), ...options.realtime }));
      metrics.bind({
        sip: sip.stack,
        registrations: () => store.countSipBindings(Date.now()),
        mediaPorts: () => media.portPool(),
        mediaStats: () => media.stats(),
        eventLogBacklog: () => events.backlog,
        realtimeClients: () => realtime.clientCount,
        webhooks: () => webhooks.stats,
        outbox: () => outbox.counts(),
        invitesShed: () => overload.status.shed,
        sipReceiveWaitMs: () => overload.status.socketDelayMs,
      });
      // WebSocket upgrades by path: SIP over WebSocket (RFC 7118) at --sip-ws-path, the RealTime API at `/`.
      const fallback = realtime.handleUpgrade.bind(realtime);
      const sipWs = started('sip websocket', new SipWebSocketAcceptor(sip.stack, { maxPerAddress: settings.sipWsMaxPerAddress }));
      routeUpgrades(http.server, { [settings.sipWsPath]: sipWs.handler('ws') }, fallback);
      await http.listen({ host: settings.host, port: settings.httpPort });
      const address = http.server.address();
      const httpPort = typeof address === 'object' && address ? address.port : settings.httpPort;
      sip.stack.setWebSocketPort('ws', httpPort);
      // With TLS, an HTTPS listener serves the same API, the RealTime API and SIP over secure WebSocket (wss).
      let httpsPort: number | undefined;
      if (tls && settings.tls) {
        const https = started('https', httpsListener(createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => http.server.emit('request', req, res))));
        routeUpgrades(https.server, { [settings.sipWsPath]: sipWs.handler('wss') }, fallback);
        httpsPort = await https.listen(settings.host, settings.tls.httpsPort);
        sip.stack.setWebSocketPort('wss', httpsPort);
      }
      dialectOptions.publicUrl = settings.publicUrl ?? server.publicUrl ?? `http://${urlHost(sip.stack.publicHost)}:${httpPort}`;
      events.configureProjection(dialectOptions);
      // A predecessor that died left sessions open and maybe report entries unwritten: close and write them
      // now that bandwidth URLs can name the public URL (crash-recovery.ts, docs/reliability.md).
      // A cluster (shared log and store): this node's liveness lease first — a node restarted before its
      // dead predecessor's lease expired waits for it, and a second live process under the same id is
      // refused, so the recovery below never closes another live node's calls (session-takeover.ts).
      const takeover =
        log.openSessionsByNode && storage.leases
          ? new SessionTakeover({
              nodeId: settings.nodeId,
              holder: storage.holder,
              leases: storage.leases,
              openSessionsByNode: log.openSessionsByNode,
              close: async (ids) => (await closeCutSessions(ids, { events, stack: sip.stack, facts: recorder }, logger.child({ component: 'takeover' }))).length,
              logger: logger.child({ component: 'takeover' }),
              ttlMs: settings.nodeLeaseMs,
            })
          : undefined;
      if (takeover) {
        try {
          await takeover.join();
        } catch (err) {
          if (err instanceof DuplicateNodeError) throw new StartError(err.message);
          throw err;
        }
        running.push({ name: 'session takeover', close: () => takeover.close() });
      }
      await recoverAfterCrash({ events, store, facts: recorder, stack: sip.stack, logger, openSessions: log.ownOpenSessions });
      takeover?.start();
      // The autodialer, once the sessions a dead predecessor left are closed (its `dialling` contacts are
      // then counted as failed attempts: campaign-runner.ts). It stops before the switch closes.
      const dialer = started('dialer', new CampaignRunner({ store, dialer: calls.dialer, rules: campaignRules(), logger, abandonAfterMs: ABANDON_BOUND_MS, ...(storage.leases ? { lease: storage.leases.handle('dialer', storage.holder, DIALER_LEASE_MS) } : {}) }));
      await dialer.start();
      const services: RingsideServices = { settings, logger, store, events, recorder, reports, outbox, webhooks, sip, messaging, media, calls, http, realtime, publicUrl: dialectOptions.publicUrl, ...(httpsPort !== undefined ? { httpsPort } : {}) };
      const sipInfo = { host: settings.host, port: sip.port, protocols: sip.stack.protocols, ...(tls ? { tlsPort: sip.stack.tlsPort } : {}), webSocketPath: settings.sipWsPath };
      logger.info({ http: { host: settings.host, port: httpPort, ...(httpsPort !== undefined ? { httpsPort } : {}) }, sip: { ...sipInfo, advertised: addresses.sip ?? 'per peer' }, media: { advertised: addresses.media ?? 'per peer' }, publicUrl: dialectOptions.publicUrl, lastPosition: await events.lastPosition() }, 'ringside started');
      return new Ringside(services, running);
    } catch (err) {
      await closeAll(running, logger);
      throw err;
    }
  }

  get httpPort(): number {
    const a = this.http.server.address();
    return typeof a === 'object' && a ? a.port : this.settings.httpPort;
  }

  async stop(): Promise<void> {
    this.logger.info('ringside stopping');
    await closeAll(this.#running, this.logger);
    this.logger.info('ringside stopped');
  }
}

/** An HTTPS server handing requests to the HTTP server's handler (Fastify), closed with the rest. */
function httpsListener(server: HttpsServer): { server: HttpsServer; listen(host: string, port: number): Promise<number>; close(): Promise<void> } {
  // Upgraded sockets (RealTime, wss) are no longer the HTTP server's to close, yet close() waits for them.
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    server,
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address();
          resolve(typeof a === 'object' && a ? a.port : port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Closes what was started, last first; a failure is logged and the rest still close. */
async function closeAll(running: readonly Running[], logger: Logger): Promise<void> {
  for (const r of [...running].reverse()) {
    try {
      await r.close();
    } catch (err) {
      logger.error({ err, service: r.name }, 'closing a service failed');
    }
  }
}
