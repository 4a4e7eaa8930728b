/**
 * The composition root: opens the store and the event log under the data dir, loads provisioning, wires
 * the dialects and starts the servers; `stop()` closes them in reverse order.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfigFile } from '../config/load-config.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store, ProvisioningCounts } from '../store/store.js';
import { SqliteEventLog } from '../events/log/sqlite-event-log.js';
import type { EventLog } from '../events/log/event-log.js';
import { FactRecorder } from '../dialects/fact-recorder.js';
import { allDialects } from '../dialects/all-dialects.js';
import { ReportWriter } from '../dialects/reports/report-writer.js';
import { createHttpServer } from '../api/http-server.js';
import { ringsideApi } from '../api/index.js';
import { RealtimeSocketServer, type RealtimeSocketOptions } from '../delivery/realtime-socket.js';
import { MessagingService } from '../messaging/messaging-service.js';
import { MmsMediaStore } from '../messaging/mms-media-store.js';
import { SipTextCarrier } from '../messaging/sip-text-carrier.js';
import { SipDeviceDelivery } from '../messaging/sip-device-delivery.js';
import { SipService } from './sip-service.js';
import { SqliteOutbox } from '../store/sqlite-outbox.js';
import { WebhookEngine } from '../delivery/webhooks/webhook-engine.js';
import { MediaEngineClient } from '../media/media-engine-client.js';
import type { MediaControl } from '../media/media-control.js';
import { Switch } from '../switch/switch.js';
import type { Logger } from '../log/logger.js';
import type { Settings } from './settings.js';

export class StartError extends Error {
  override readonly name = 'StartError';
}

export class Ringside {
  private constructor(
    readonly settings: Settings,
    readonly logger: Logger,
    readonly store: Store,
    readonly log: EventLog,
    readonly recorder: FactRecorder,
    readonly http: FastifyInstance,
    readonly realtime: RealtimeSocketServer,
    readonly sip: SipService,
    readonly messaging: MessagingService,
    readonly publicUrl: string,
    readonly webhooks: WebhookEngine,
    readonly outbox: SqliteOutbox,
    readonly media: MediaControl,
    readonly calls: Switch,
    readonly reports: ReportWriter,
  ) {}

  static async start(settings: Settings, logger: Logger, options: { realtime?: RealtimeSocketOptions } = {}): Promise<Ringside> {
    const dataDir = resolve(settings.dataDir);
    for (const d of [dataDir, join(dataDir, 'recordings'), join(dataDir, 'media')]) mkdirSync(d, { recursive: true });
    const config = settings.configFile === undefined ? undefined : loadConfigFile(settings.configFile);
    const store = new SqliteStore(join(dataDir, 'ringside.db'));
    const opened: { close(): Promise<void> }[] = [store];
    try {
      let counts: ProvisioningCounts;
      if (config) counts = await store.replaceProvisioning(config);
      else {
        counts = await store.counts();
        if (counts.accounts === 0) throw new StartError(`no provisioning in ${dataDir}: start once with --config FILE (see examples/demo.yaml)`);
      }
      logger.info({ configFile: settings.configFile ?? null, dataDir, ...counts }, config ? 'provisioning loaded' : 'provisioning kept from the store');

      const log = new SqliteEventLog(join(dataDir, 'events.db'));
      opened.push(log);
      const outbox = new SqliteOutbox(join(dataDir, 'ringside.db'));
      opened.push(outbox);
      const webhooks = new WebhookEngine({ events: log, store, outbox, logger: logger.child({ component: 'webhooks' }) });
      const http = createHttpServer({ logger });
      opened.push({ close: () => http.close() });
      // The public URL may depend on the port the OS picks (port 0): fixed once listening, before any fact.
      const dialectOptions = { publicUrl: '' };
      // Report entries are a projection too: written when a session's end is durable in the log.
      const reports = new ReportWriter(store, logger.child({ component: 'reports' }));
      opened.push(reports);
      const recorder = new FactRecorder({ events: log, dialects: allDialects, dialectOptions, logger: logger.child({ component: 'recorder' }), observers: [reports] });
      const server = await store.serverConfig();
      const sipLogger = logger.child({ component: 'sip' });
      const sip = await SipService.start({ host: settings.host, port: settings.sipPort, realm: server.sipRealm, algorithms: server.sipDigestAlgorithms }, store, sipLogger);
      opened.push(sip);
      const media = new MmsMediaStore(join(dataDir, 'media'));
      const messaging = new MessagingService(store, recorder, media, new SipTextCarrier(sip.stack, store), new SipDeviceDelivery(sip.stack, sip.registrar), logger.child({ component: 'messaging' }));
      sip.enableMessaging(store, messaging, sipLogger);
      // Media runs in a worker thread: relaying on this event loop delayed SIP and the API by hundreds of ms
      // from a few hundred calls (docs/performance.md, "Media off the main thread").
      const mediaEngine = await MediaEngineClient.start({ rtpPorts: settings.rtpPorts, advertisedAddress: sip.stack.publicHost, dataDir, logLevel: logger.level });
      opened.push(mediaEngine);
      mediaEngine.on('exit', (code) => mediaEngine.closing || logger.error({ component: 'media', code }, 'media worker exited; calls cannot carry audio until Ringside restarts'));
      const calls = new Switch({ recordingUrl: (id) => `${dialectOptions.publicUrl}/recordings/${id}.wav`, stack: sip.stack, registrar: sip.registrar, store, media: mediaEngine, facts: recorder, auth: { realm: server.sipRealm, algorithms: server.sipDigestAlgorithms, credentials: sip.credentials }, logger: logger.child({ component: 'switch' }) });
      opened.push(calls);
      // Every service is built: the API is mounted once, each family given what it uses (api/index.ts).
      await http.register(ringsideApi, { store, events: log, recorder, webhooks, messaging, mmsMedia: media, calls, recordings: mediaEngine });
      const realtime = new RealtimeSocketServer({ server: http.server, store, events: log, logger: logger.child({ component: 'realtime-ws' }), ...options.realtime });
      opened.push(realtime);
      await webhooks.start();
      opened.push({ close: () => webhooks.stop() });
      await http.listen({ host: settings.host, port: settings.httpPort });
      const address = http.server.address();
      const httpPort = typeof address === 'object' && address ? address.port : settings.httpPort;
      dialectOptions.publicUrl = settings.publicUrl ?? server.publicUrl ?? `http://127.0.0.1:${httpPort}`;
      const ringside = new Ringside(settings, logger, store, log, recorder, http, realtime, sip, messaging, dialectOptions.publicUrl, webhooks, outbox, mediaEngine, calls, reports);
      logger.info({ http: { host: settings.host, port: httpPort }, sip: { host: settings.host, port: sip.port, protocols: ['udp', 'tcp'] }, lastPosition: await log.lastPosition() }, 'ringside started');
      return ringside;
    } catch (err) {
      for (const o of opened.reverse()) await o.close().catch(() => undefined);
      throw err;
    }
  }

  get httpPort(): number {
    const a = this.http.server.address();
    return typeof a === 'object' && a ? a.port : this.settings.httpPort;
  }

  async stop(): Promise<void> {
    this.logger.info('ringside stopping');
    await this.realtime.close();
    await this.http.close();
    await this.calls.close();
    await this.sip.close();
    await this.media.close();
    await this.webhooks.stop();
    await this.outbox.close();
    await this.log.close();
    // Every report entry whose session ended is written before the store closes.
    await this.reports.close();
    await this.store.close();
    this.logger.info('ringside stopped');
  }
}
