/**
 * Calls started, active and ended, by session kind and result, counted from the facts the recorder makes
 * durable (a FactObserver beside the report writer): no instrumentation in the switch, and the figures are
 * exactly what the event log and the reports say happened.
 */
import type { Fact, SessionKind } from '../../events/model/facts.js';
import type { FactObserver, SessionObserver } from '../../dialects/fact-observer.js';

/** How a call ended: `answered` when any leg was answered (by a party or by Ringside itself: voicemail, a
 *  voice-API application), else the dial result of its last failed leg lower-cased (`busy`, `noanswer`,
 *  `cancel`, `congestion`, `chanunavail`, …), else `unanswered` (refused before any leg was dialled). */
export type CallResult = string;

export interface CallCounts {
  started: ReadonlyMap<SessionKind, number>;
  active: ReadonlyMap<SessionKind, number>;
  /** Keyed `kind result`. */
  ended: ReadonlyMap<string, number>;
}

export class CallMetrics implements FactObserver {
  readonly #started = new Map<SessionKind, number>();
  readonly #active = new Map<SessionKind, number>();
  readonly #ended = new Map<string, number>();

  open(): SessionObserver {
    let kind: SessionKind | undefined;
    let answered = false;
    let failed: string | undefined;
    const track = (f: Fact): void => {
      if (f.type === 'session.started') kind = f.kind;
      else if (f.type === 'leg.answered') answered = true;
      else if (f.type === 'leg.failed') failed = f.result.toLowerCase();
    };
    return {
      // A session replayed after a restart is open in this process: active, but started by the previous one.
      replay: (f) => {
        track(f);
        if (f.type === 'session.started') add(this.#active, f.kind, 1);
        else if (f.type === 'session.ended' && kind !== undefined) add(this.#active, kind, -1);
      },
      recorded: (f) => {
        track(f);
        if (f.type === 'session.started') {
          add(this.#started, f.kind, 1);
          add(this.#active, f.kind, 1);
        } else if (f.type === 'session.ended' && kind !== undefined) {
          // Texts are sessions too, but have no session.started: `kind` stays unset and nothing is counted.
          add(this.#active, kind, -1);
          add(this.#ended, `${kind} ${answered ? 'answered' : (failed ?? 'unanswered')}`, 1);
        }
      },
    };
  }

  get counts(): CallCounts {
    return { started: this.#started, active: this.#active, ended: this.#ended };
  }
}

function add<K>(m: Map<K, number>, key: K, n: number): void {
  m.set(key, (m.get(key) ?? 0) + n);
}
