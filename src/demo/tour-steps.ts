/**
 * The tour's script: one step per call kind of examples/demo.yaml. Each step says which RealTime topics its
 * call must produce (in order) and which event ends it; `run` plays the parts of the simulated phones and
 * carrier. The DTMF contract is the switch's: call confirmation accepts with `1`; agent PIN entry is the
 * PIN then `#` (the account's `agentPin.entry: pound`); voicemail plays a greeting and a beep, then records.
 */
import type { RealtimeFrame } from './event-line.js';
import { topicOf } from './event-line.js';
import { DemoError } from './errors.js';
import { converse, type Heard, type PartyCall } from './party-call.js';
import type { RingsideApi } from './ringside-api.js';
import type { Narrate } from './simulated-party.js';
import type { TourCast } from './tour-cast.js';
import { later, seconds, withTimeout } from './wait.js';

export interface StepContext {
  cast: TourCast;
  api: RingsideApi;
  say: Narrate;
  /** How long parties talk once connected. */
  talkMs: number;
  /** Records a problem that fails the step without stopping its script. */
  problem(text: string): void;
}

export interface TourStep {
  title: string;
  /** Topics the step's call must produce, in this order (others may come in between). */
  expect: string[];
  /** The event that ends the step: the call's `*.end`. */
  end?: string;
  run(ctx: StepContext): Promise<void>;
  /** Checks on the step's events once `end` arrived (who answered, voicemail flags, …): problems found. */
  check?(events: RealtimeFrame[], ctx: StepContext): string[] | Promise<string[]>;
}

/** The first event with this topic, and a problem when its user is not `userId`. */
function userOf(events: RealtimeFrame[], topic: string, userId: string, who: string): string[] {
  const e = events.find((x) => topicOf(x) === topic);
  if (!e) return [];
  return e.userId === userId ? [] : [`${topic} should carry ${who} (userId ${userId}), it carries ${JSON.stringify(e.userId ?? null)}`];
}

/** Both connected parties talk at once; a side that got less than half of what the other sent is a problem. */
async function talk(ctx: StepContext, a: PartyCall, aName: string, b: PartyCall, bName: string): Promise<void> {
  ctx.say('media', `${aName} and ${bName} talk for ${seconds(ctx.talkMs)} (G.711 RTP through Ringside)`);
  const r = await converse(a, b, ctx.talkMs);
  ctx.say('media', `${aName} heard ${r.a.received} of ${r.b.sent} packets ${bName} sent; ${bName} heard ${r.b.received} of ${r.a.sent}`);
  if (r.a.received < r.b.sent / 2) ctx.problem(`${aName} heard little of ${bName}: ${r.a.received} of ${r.b.sent} RTP packets`);
  if (r.b.received < r.a.sent / 2) ctx.problem(`${bName} heard little of ${aName}: ${r.b.received} of ${r.a.sent} RTP packets`);
}

/** Narrates what a party heard while Ringside played `what` (`call-confirmation prompt`) to it; hearing
 *  nothing is a problem. */
function heard(ctx: StepContext, who: string, what: string, h: Heard): void {
  if (h.packets === 0) {
    ctx.say(who, `hears nothing from Ringside: no ${what}`);
    ctx.problem(`${who} heard no ${what}: no RTP from Ringside (spoken prompts need espeak-ng where Ringside runs)`);
  } else ctx.say(who, `hears the ${what}: ${seconds(h.ms)} of audio (${h.packets} RTP packets)${h.stillPlaying ? ', still playing' : ''}`);
}

const inbound = ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end'];

export const TOUR_STEPS: readonly TourStep[] = [
  {
    title: 'Phones register: alice (101), bob (102) and carol (103), SIP over UDP with digest auth',
    expect: [],
    async run({ cast, say }) {
      for (const phone of cast.phones) {
        say(phone.name, `REGISTER sip:${phone.user.username}@${phone.server.host} from ${phone.address}`);
        say(phone.name, `registered: ${await phone.register()}`);
      }
      say('tour', 'registrations are not calls: no RealTime events yet');
    },
  },
  {
    title: 'Inbound call to Main +15550100 (ring-all: alice and bob); bob answers',
    expect: inbound,
    end: 'voice.incoming.end',
    async run(ctx) {
      const { cast } = ctx;
      const bobAnswers = later(cast.phone('bob').answerNext({ afterMs: 1000, label: 'the call to Main' }));
      const caller = await cast.carrier.callNumber('+15550100');
      const bob = await bobAnswers;
      await talk(ctx, caller, 'the caller', bob, 'bob');
      ctx.say('carrier', 'the caller hangs up');
      await caller.hangUp();
    },
    check: (events) => userOf(events, 'voice.incoming.answer', '502', 'bob'),
  },
  {
    title: 'Inbound call to Sales +15550101 (alice, with call confirmation): alice presses 1 to accept',
    expect: ['voice.incoming.start', 'voice.callconfirm.start', 'voice.callconfirm.acceptcall', 'voice.incoming.answer', 'voice.incoming.end'],
    end: 'voice.incoming.end',
    async run(ctx) {
      const { cast } = ctx;
      const aliceAnswers = later(cast.phone('alice').answerNext({ afterMs: 500, label: 'the call to Sales' }));
      const connected = later(cast.carrier.callNumber('+15550101'));
      const alice = await aliceAnswers;
      heard(ctx, 'alice', 'call-confirmation prompt', await alice.listen());
      ctx.say('alice', 'presses 1 (accept the call) as an RFC 4733 telephone-event');
      await alice.press('1');
      const caller = await withTimeout(connected, 8000, 'the caller was not connected within 8 s of alice pressing 1');
      await talk(ctx, caller, 'the caller', alice, 'alice');
      ctx.say('alice', 'hangs up');
      await alice.hangUp();
    },
    check: (events) => userOf(events, 'voice.incoming.answer', '501', 'alice'),
  },
  {
    title: 'Inbound call to Support +15550102 (forward to +15557770001, agent PIN): the agent enters 1102#',
    expect: ['voice.incoming.start', 'voice.incoming.agentpin-prompt', 'voice.incoming.agentpin-valid', 'voice.incoming.answer', 'voice.incoming.end'],
    end: 'voice.incoming.end',
    async run(ctx) {
      const { cast } = ctx;
      const agentAnswers = later(cast.carrier.answerCallTo('+15557770001'));
      const connected = later(cast.carrier.callNumber('+15550102'));
      const agent = await agentAnswers;
      heard(ctx, 'agent', 'agent-PIN prompt', await agent.listen());
      ctx.say('agent', "enters bob's PIN 1102, then # (RFC 4733 telephone-events)");
      await agent.press('1102#');
      const caller = await withTimeout(connected, 8000, 'the caller was not connected within 8 s of the agent entering 1102#');
      await talk(ctx, caller, 'the caller', agent, 'the agent');
      ctx.say('agent', 'hangs up');
      await agent.hangUp();
    },
    check: (events) => [...userOf(events, 'voice.incoming.agentpin-valid', '502', 'bob, whose PIN was entered'), ...userOf(events, 'voice.incoming.answer', '502', 'bob, whose PIN was entered')],
  },
  {
    title: 'Inbound call to After Hours +15550103 (straight to voicemail): the caller leaves a message',
    expect: ['voice.incoming.start', 'voice.incoming.end'],
    end: 'voice.incoming.end',
    async run(ctx) {
      const caller = await ctx.cast.carrier.callNumber('+15550103');
      ctx.say('carrier', 'Ringside answers the caller itself');
      heard(ctx, 'carrier', 'voicemail greeting and beep', await caller.listen({ quietMs: 800, maxMs: 15_000 }));
      ctx.say('carrier', `the caller speaks for ${seconds(ctx.talkMs)} (RTP to Ringside's recorder)`);
      await caller.talk(ctx.talkMs);
      ctx.say('carrier', 'the caller hangs up');
      await caller.hangUp();
    },
    async check(events, ctx) {
      const end = events.find((e) => topicOf(e) === 'voice.incoming.end');
      if (!end) return [];
      const problems: string[] = [];
      if (end.hasVoicemail !== true) problems.push('voice.incoming.end should say hasVoicemail: true');
      if (end.disposition !== 'voicemail') problems.push(`voice.incoming.end should say disposition voicemail, it says ${JSON.stringify(end.disposition)}`);
      const entry = await ctx.api.reportEntry(String(end.uniqueId));
      if (!entry) {
        ctx.say('report', `GET /reports/call-data/${String(end.uniqueId)}: no entry`);
        return [...problems, `no report entry for call ${String(end.uniqueId)}`];
      }
      const extra = Object.entries(entry)
        .filter(([k, v]) => /voicemail|recording/i.test(k) && k !== 'has_voicemail' && v !== null)
        .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
      ctx.say('report', `GET /reports/call-data/${String(end.uniqueId)}: ${String(entry.direction)} ${String(entry.from)} → ${String(entry.to)}, disposition ${String(entry.disposition)}, has_voicemail ${String(entry.has_voicemail)}, ${String(entry.duration)} s${extra.length ? `, ${extra.join(', ')}` : ''}`);
      if (entry.has_voicemail !== true) problems.push('the report entry should say has_voicemail: true');
      if (typeof entry.voicemail_url === 'string') {
        const file = await ctx.api.download(entry.voicemail_url);
        // 16-bit PCM at 8 kHz (docs/media.md "Formats"): 16 000 bytes a second after the 44-byte header.
        const length = file.contentType.includes('wav') ? `, about ${seconds(((file.bytes - 44) / 16_000) * 1000)} of audio` : '';
        const via = file.via ? ` (fetched from ${file.via}: the public URL's port does not answer here)` : '';
        ctx.say('report', `GET ${entry.voicemail_url}: ${file.status}, ${file.bytes} bytes ${file.contentType}${length}${via}`);
        if (file.status !== 200) problems.push(`the voicemail at ${entry.voicemail_url} answered ${file.status}`);
      }
      return problems;
    },
  },
  {
    title: 'Outgoing call: alice dials +15557770002 through the carrier trunk',
    expect: ['voice.outgoing.start', 'voice.outgoing.answer', 'voice.outgoing.end'],
    end: 'voice.outgoing.end',
    async run(ctx) {
      const { cast } = ctx;
      const farEndAnswers = later(cast.carrier.answerCallTo('+15557770002', 1000));
      ctx.say('alice', 'dials +15557770002 (INVITE, answers the 401 with her SIP password)');
      const alice = await cast.phone('alice').dial('+15557770002');
      const farEnd = await farEndAnswers;
      await talk(ctx, alice, 'alice', farEnd, 'the far end');
      ctx.say('alice', 'hangs up');
      await alice.hangUp();
    },
    check: (events) => userOf(events, 'voice.outgoing.start', '501', 'alice'),
  },
  {
    title: 'Internal call: alice dials extension 103; carol answers',
    expect: ['voice.internal.start', 'voice.internal.answer', 'voice.internal.end'],
    end: 'voice.internal.end',
    async run(ctx) {
      const { cast } = ctx;
      const carolAnswers = later(cast.phone('carol').answerNext({ afterMs: 1000, label: "alice's call" }));
      ctx.say('alice', 'dials 103');
      const alice = await cast.phone('alice').dial('103');
      const carol = await carolAnswers;
      await talk(ctx, alice, 'alice', carol, 'carol');
      ctx.say('carol', 'hangs up');
      await carol.hangUp();
    },
    check: (events) => userOf(events, 'voice.internal.answer', '503', 'carol'),
  },
  {
    title: "Originate (click-to-call): POST /voice/originate rings alice's phone, then +15557770003",
    expect: ['voice.originate.start', 'voice.originate.answer', 'voice.outgoing.start', 'voice.outgoing.answer', 'voice.outgoing.end', 'voice.originate.end'],
    end: 'voice.originate.end',
    async run(ctx) {
      const { cast, api } = ctx;
      const aliceAnswers = later(cast.phone('alice').answerNext({ afterMs: 800, label: 'the originate call' }));
      const farEndAnswers = later(cast.carrier.answerCallTo('+15557770003', 1500));
      ctx.say('tour', 'POST /voice/originate caller=101 callee=+15557770003 user_id=501');
      const res = await api.originate({ caller: '101', callee: '+15557770003', user_id: '501' });
      if (res.status !== 200) throw new DemoError(`POST /voice/originate answered ${res.status} ${JSON.stringify(res.body)}`);
      ctx.say('tour', `→ ${res.status}: trackingId ${String(res.body.trackingId)}, uniqueId ${String(res.body.uniqueId)}`);
      const alice = await aliceAnswers;
      ctx.say('alice', 'hears ringback while Ringside dials +15557770003');
      const farEnd = await farEndAnswers;
      await talk(ctx, alice, 'alice', farEnd, 'the far end');
      ctx.say('alice', 'hangs up');
      await alice.hangUp();
    },
    check: (events) => userOf(events, 'voice.originate.start', '501', 'alice'),
  },
];

/** Expected topics not found in `seen` as an ordered subsequence (in order, others allowed between). */
export function missingTopics(expected: readonly string[], seen: readonly string[]): string[] {
  const missing: string[] = [];
  let at = 0;
  for (const topic of expected) {
    const i = seen.indexOf(topic, at);
    if (i < 0) missing.push(topic);
    else at = i + 1;
  }
  return missing;
}
