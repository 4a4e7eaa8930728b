/**
 * For tests of the JetStream log: the server to use (RINGSIDE_TEST_NATS, default nats://127.0.0.1:4222),
 * a loud skip when none answers, and logs on their own streams and subject prefix, deleted after.
 */
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { NatsEventLog, type NatsEventLogOptions } from './nats-event-log.js';
import { deleteLogStreams } from './nats-log-streams.js';
import { LogSubjects } from './nats-subjects.js';
import type { EventLogFactory } from './event-log-contract.js';

export const TEST_NATS = process.env.RINGSIDE_TEST_NATS ?? 'nats://127.0.0.1:4222';

let reachable: Promise<string | undefined> | undefined;

/** Why JetStream tests cannot run here (said once, loudly, on stderr), or undefined. */
export function natsUnavailable(): Promise<string | undefined> {
  return (reachable ??= connect({ servers: TEST_NATS, timeout: 2000, reconnect: false }).then(
    async (nc) => {
      try {
        await (await nc.jetstreamManager()).getAccountInfo();
        return undefined;
      } catch (err) {
        return `JetStream not enabled at ${TEST_NATS}: ${(err as Error).message}`;
      } finally {
        await nc.close();
      }
    },
    (err: Error) => `no NATS server at ${TEST_NATS}: ${err.message}`,
  ).then((why) => {
    if (why) process.stderr.write(`\n*** SKIPPED: JetStream event log tests: ${why} ***\n\n`);
    return why;
  }));
}

/** Fresh names for one test: streams `T<hex>_…`, subjects `t<hex>.…`. */
export function testNames(): { stream: string; prefix: string } {
  const id = randomBytes(5).toString('hex');
  return { stream: `T${id}`, prefix: `t${id}` };
}

export async function deleteTestStreams(names: { stream: string; prefix: string }): Promise<void> {
  const nc: NatsConnection = await connect({ servers: TEST_NATS });
  try {
    await deleteLogStreams(await nc.jetstreamManager(), new LogSubjects(names.stream, names.prefix));
  } finally {
    await nc.close();
  }
}

export function natsLogFactory(extra: Partial<NatsEventLogOptions> = {}): EventLogFactory {
  return {
    name: 'JetStream',
    unavailable: natsUnavailable,
    async open(options = {}) {
      const names = testNames();
      const o: NatsEventLogOptions = { servers: TEST_NATS, ...names, ...extra, ...options };
      let log = await NatsEventLog.open(o);
      return {
        log,
        async reopen() {
          await log.close();
          return (log = await NatsEventLog.open(o));
        },
        async cleanup() {
          await log.close();
          await deleteTestStreams(names);
        },
      };
    },
  };
}
