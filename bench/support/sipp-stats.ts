/**
 * sipp's results as numbers: the last line of its `-trace_stat` CSV (cumulative "(C)" columns), and the
 * status lines of the messages it did not expect (`-trace_err` log) so a 503 is told apart from a timeout.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface SippOutcome {
  created: number;
  successful: number;
  failed: number;
  /** Failures by kind: timeouts (retransmissions exhausted, receive/send timeouts), unexpected messages, … */
  kinds: Record<string, number>;
  /** What the unexpected messages were: a response's status or a request's method (e.g. { '503': 12, BYE: 1 }). */
  unexpectedStatus: Record<string, number>;
  retransmissions: number;
  /** Calls still open when sipp stopped (its global -timeout). */
  unfinished: number;
}

const KINDS: [string, string[]][] = [
  ['timeout', ['FailedMaxUDPRetrans', 'FailedTimeoutOnRecv', 'FailedTimeoutOnSend']],
  ['unexpected', ['FailedUnexpectedMessage']],
  ['rejected', ['FailedCallRejected']],
  ['send', ['FailedCannotSendMessage', 'FailedCmdNotSent', 'FailedOutboundCongestion']],
];

/** Reads `statFile` and the `*_errors.log` files in `dir`. */
export function readSippOutcome(statFile: string, dir: string): SippOutcome {
  const lines = existsSync(statFile) ? readFileSync(statFile, 'utf8').trim().split('\n') : [];
  const header = (lines[0] ?? '').split(';');
  const last = (lines.length > 1 ? lines[lines.length - 1]! : '').split(';');
  const col = (name: string) => Number(last[header.indexOf(name)] ?? 0) || 0;
  const cum = (name: string) => col(`${name}(C)`);
  const kinds: Record<string, number> = {};
  let known = 0;
  for (const [kind, names] of KINDS) {
    const n = names.reduce((s, x) => s + cum(x), 0);
    if (n) kinds[kind] = n;
    known += n;
  }
  const failed = cum('FailedCall');
  if (failed > known) kinds.other = failed - known;
  const unexpectedStatus: Record<string, number> = {};
  for (const f of readdirSync(dir).filter((x) => x.endsWith('_errors.log'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    // "Aborting call on unexpected message … received 'SIP/2.0 503 …" or "… received 'BYE sip:…".
    for (const m of text.matchAll(/Aborting call on unexpected message[^\n]*?received '([^\r\n']+)/g)) {
      const first = m[1]!.split(' ');
      const what = first[0] === 'SIP/2.0' ? first[1]! : first[0]!;
      unexpectedStatus[what] = (unexpectedStatus[what] ?? 0) + 1;
    }
  }
  return {
    created: col('TotalCallCreated'),
    successful: cum('SuccessfulCall'),
    failed,
    kinds,
    unexpectedStatus,
    retransmissions: cum('Retransmissions'),
    unfinished: col('CurrentCall'),
  };
}

/** `timeout 12, unexpected 3 (503×3)` — or `-` for none. */
export function describeFailures(o: SippOutcome): string {
  const parts = Object.entries(o.kinds).map(([k, n]) => (k === 'unexpected' && Object.keys(o.unexpectedStatus).length ? `${k} ${n} (${Object.entries(o.unexpectedStatus).map(([s, c]) => `${s}×${c}`).join(', ')})` : `${k} ${n}`));
  if (o.unfinished) parts.push(`unfinished ${o.unfinished}`);
  return parts.length ? parts.join(', ') : '-';
}
