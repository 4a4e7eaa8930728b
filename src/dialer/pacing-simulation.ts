/**
 * A simulated call centre for predictive pacing (pacing.ts): a seeded random answer rate that drifts over
 * the day, agents with their own random talk times, contacts who ring a random while before answering (or
 * are busy, or never answer), and an answered contact abandoned when no agent frees up within
 * ABANDON_BOUND_MS. The pacer is asked every simulated second, as the dialer asks it. Deterministic for a
 * seed; used by pacing.simulation.test.ts (and fit for a bench). No I/O, no timers: simulated time.
 */
import { ABANDON_BOUND_MS, Pacer } from './pacing.js';
import { seededRandom } from '../util/seeded-random.js';

export interface SimOptions {
  seed: number;
  agents: number;
  /** Attempts to run to their end. */
  calls: number;
  maxAbandonPercent: number;
  /** The campaign's pacing.ratio (1: progressive). */
  ratio: number;
}

export interface SimResult {
  attempts: number;
  live: number;
  abandoned: number;
  abandonPercent: number;
  utilisation: number;
  contactsPerMinute: number;
  meanRatio: number;
  hours: number;
}

type EventBody = { at: number } & ({ kind: 'tick' } | { kind: 'pickup'; call: number } | { kind: 'noPickup' } | { kind: 'agentFree'; agent: number } | { kind: 'deadline'; call: number });
type Event = EventBody & { seq: number };

export function simulate(o: SimOptions): SimResult {
  // Common random numbers: each stream is drawn in the same order whatever the pacing, so two pacings meet
  // the same contacts (the n-th dial answers or not alike), the same talk times and the same day.
  const rnd = seededRandom(o.seed);
  const contactRnd = seededRandom(o.seed * 7919 + 1);
  const talkRnd = seededRandom(o.seed * 104_729 + 2);
  const pacer = new Pacer({ ratio: o.ratio, maxAbandonPercent: o.maxAbandonPercent });
  const meanTalk = Array.from({ length: o.agents }, () => 40_000 + rnd() * 160_000);
  const freeAgents = new Set(Array.from({ length: o.agents }, (_, i) => i));
  const events: Event[] = [];
  let seq = 0;
  const at = (e: EventBody) => {
    const ev: Event = { ...e, seq: seq++ };
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = events[mid]!;
      if (m.at < ev.at || (m.at === ev.at && m.seq < ev.seq)) lo = mid + 1;
      else hi = mid;
    }
    events.splice(lo, 0, ev);
  };
  // The answer rate: drawn for the day, redrawn around it every half hour (people come home, leave).
  const dayRate = 0.2 + rnd() * 0.4;
  let answerRate = dayRate;
  let nextDrift = 30 * 60_000;
  let ringing = 0;
  const waiting: number[] = []; // answered call ids waiting for an agent, oldest first
  let dialled = 0;
  let finished = 0;
  let live = 0;
  let abandoned = 0;
  let busyMs = 0;
  let ratioSum = 0;
  let ticks = 0;
  let callIds = 0;
  let now = 0;

  const connect = (agent: number) => {
    freeAgents.delete(agent);
    const talk = meanTalk[agent]! * (0.3 + talkRnd() * 1.4);
    busyMs += talk;
    at({ at: now + talk, kind: 'agentFree', agent });
  };
  at({ at: 0, kind: 'tick' });
  while (finished < o.calls) {
    const e = events.shift()!;
    now = e.at;
    switch (e.kind) {
      case 'tick': {
        if (now >= nextDrift) {
          answerRate = Math.min(0.9, Math.max(0.05, dayRate + (rnd() - 0.5) * 0.3));
          nextDrift += 30 * 60_000;
        }
        const n = dialled < o.calls ? Math.min(o.calls - dialled, pacer.dialsNow({ freeAgents: freeAgents.size, ringing, waiting: waiting.length, now })) : 0;
        for (let i = 0; i < n; i++) {
          dialled++;
          ringing++;
          const [pick, ring, busy] = [contactRnd(), contactRnd(), contactRnd()];
          if (pick < answerRate) at({ at: now + 3_000 + ring * 17_000, kind: 'pickup', call: ++callIds });
          else at({ at: now + (busy < 0.25 ? 2_000 : 25_000), kind: 'noPickup' }); // busy, or no answer
        }
        ratioSum += pacer.ratio;
        ticks++;
        at({ at: now + 1_000, kind: 'tick' });
        break;
      }
      case 'noPickup':
        ringing--;
        finished++;
        pacer.record('unanswered', now);
        break;
      case 'pickup': {
        ringing--;
        const agent = freeAgents.values().next();
        if (!agent.done) {
          connect(agent.value);
          finished++;
          live++;
          pacer.record('answered', now);
        } else {
          waiting.push(e.call);
          at({ at: now + ABANDON_BOUND_MS, kind: 'deadline', call: e.call });
        }
        break;
      }
      case 'agentFree': {
        freeAgents.add(e.agent);
        const call = waiting.shift();
        if (call !== undefined) {
          connect(e.agent);
          finished++;
          live++;
          pacer.record('answered', now);
        }
        break;
      }
      case 'deadline': {
        const i = waiting.indexOf(e.call);
        if (i < 0) break; // an agent took them in time
        waiting.splice(i, 1);
        finished++;
        live++;
        abandoned++;
        pacer.record('abandoned', now);
        break;
      }
    }
  }
  return {
    attempts: finished,
    live,
    abandoned,
    abandonPercent: (100 * abandoned) / Math.max(1, live),
    // Talk time of calls still up at the end counts in full: a slight overestimate at the end of the run.
    utilisation: Math.min(1, busyMs / (o.agents * now)),
    contactsPerMinute: finished / (now / 60_000),
    meanRatio: ratioSum / Math.max(1, ticks),
    hours: now / 3_600_000,
  };
}

/** One line of a result, for people. */
export function describe(r: SimResult): string {
  return `${r.attempts} attempts in ${r.hours.toFixed(1)} h, ${r.live} live, ${r.abandoned} abandoned (${r.abandonPercent.toFixed(2)} %), utilisation ${(100 * r.utilisation).toFixed(1)} %, ${r.contactsPerMinute.toFixed(2)} contacts/min, mean ratio bound ${r.meanRatio.toFixed(2)}`;
}
