/**
 * `ringside demo --standalone`: a Ringside of its own, in this process, with examples/demo.yaml and a
 * temporary data directory, on free ports (HTTP and SIP on 127.0.0.1). The carrier trunk's port is adapted
 * to this run (the tour's carrier took a free one); `server.publicUrl` is dropped should the file set one,
 * so event payloads name the HTTP port actually in use.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { Ringside } from '../app/ringside.js';
import { resolveSettings } from '../app/settings.js';
import type { Logger } from '../log/logger.js';
import { packageInfo } from '../util/package-info.js';
import { DemoError } from './errors.js';

/** The RTP ports of the embedded Ringside (the tour's own parties use 40000-40999). */
export const STANDALONE_RTP_PORTS = '41000-41999';

export interface StandaloneRingside {
  ringside: Ringside;
  httpUrl: string;
  sip: { host: string; port: number };
  /** Stops Ringside and removes its data directory. */
  stop(): Promise<void>;
}

/** examples/demo.yaml from the package root (works from src/ under tsx and from dist/). */
export function demoConfigPath(): string {
  return join(packageInfo().root, 'examples', 'demo.yaml');
}

/** The demo provisioning with the trunk at `carrier` and no fixed public URL. Comments and layout are kept. */
export function adaptDemoConfig(yamlText: string, carrier: { host: string; port: number }): string {
  const doc = parseDocument(yamlText);
  const trunks = doc.getIn(['trunks']) as { items?: unknown[] } | undefined;
  const count = trunks?.items?.length ?? 0;
  let found = false;
  for (let i = 0; i < count; i++) {
    if (doc.getIn(['trunks', i, 'host']) !== carrier.host) continue;
    doc.setIn(['trunks', i, 'port'], carrier.port);
    found = true;
  }
  if (!found) throw new DemoError(`examples/demo.yaml has no trunk at ${carrier.host}: the simulated carrier would not be recognised`);
  doc.deleteIn(['server', 'publicUrl']);
  return doc.toString();
}

export async function startStandalone(o: { carrier: { host: string; port: number }; logger: Logger }): Promise<StandaloneRingside> {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-demo-'));
  try {
    const config = join(dir, 'demo.yaml');
    writeFileSync(config, adaptDemoConfig(readFileSync(demoConfigPath(), 'utf8'), o.carrier));
    // Flags only, no RINGSIDE_* environment: the embedded Ringside must not take a port set for `serve`.
    const settings = resolveSettings({ config, data: join(dir, 'data'), host: '127.0.0.1', httpPort: '0', sipPort: '0', rtpPorts: STANDALONE_RTP_PORTS, logLevel: o.logger.level }, {});
    const ringside = await Ringside.start(settings, o.logger);
    return {
      ringside,
      httpUrl: `http://127.0.0.1:${ringside.httpPort}`,
      sip: { host: '127.0.0.1', port: ringside.sip.port },
      stop: async () => {
        try {
          await ringside.stop();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
