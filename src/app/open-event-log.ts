/**
 * Opens the event log the settings name (docs/scale-out.md): the embedded SQLite log in the data directory,
 * or NATS JetStream shared by the nodes of a cluster. On a shared log a node closes after a restart only the
 * sessions it started itself (the others belong to live nodes), and can list every node's open sessions for
 * the takeover of a dead node's (session-takeover.ts).
 */
import { join } from 'node:path';
import type { Settings } from './settings.js';
import type { EventLog } from '../events/log/event-log.js';
import type { Logger } from '../log/logger.js';
import { SqliteEventLog } from '../events/log/sqlite-event-log.js';
import { NatsEventLog } from '../events/log/nats-event-log.js';
import { WRITER_PROJECTION } from '../dialects/writer-projection.js';

export interface OpenedEventLog {
  events: EventLog;
  /** Open sessions this node must close after a restart. */
  ownOpenSessions(): Promise<string[]>;
  /** Shared logs only: every open session by the node that started it. */
  openSessionsByNode?(): Promise<Map<string, string[]>>;
}

export async function openEventLog(settings: Pick<Settings, 'log' | 'nodeId'>, dataDir: string, logger: Logger): Promise<OpenedEventLog> {
  const log = logger.child({ component: 'event-log' });
  if (settings.log.kind === 'sqlite') {
    // The log projects every fact into the three dialects on its writer thread (dialects/writer-projection.ts).
    const events = new SqliteEventLog(join(dataDir, 'events.db'), { projection: WRITER_PROJECTION, logger: log });
    return { events, ownOpenSessions: () => events.openSessions() };
  }
  // `?stream=NAME&prefix=NAME` pick the stream and subject prefix (default RINGSIDE, ringside): one NATS
  // server may hold several installations.
  const url = new URL(settings.log.url);
  const stream = url.searchParams.get('stream');
  const prefix = url.searchParams.get('prefix');
  url.search = '';
  const events = await NatsEventLog.open({ servers: url.toString(), name: settings.nodeId, projection: WRITER_PROJECTION, logger: log, ...(stream ? { stream } : {}), ...(prefix ? { prefix } : {}) });
  return { events, ownOpenSessions: () => events.openSessionsOf(settings.nodeId), openSessionsByNode: () => events.openSessionsByNode() };
}
