/**
 * One call in BXML mode (spec bandwidth §1.2, §2.16): the call's application is `autoAnswer: true` with
 * `callbackHttpMethod: GET`. The call itself sends `incomingcall` (its answer is ignored) and then `answer`
 * to the application's URL and reads the answer: a BXML document (XML content type, or a body starting
 * with `<`) puts the call in BXML mode and is run verb by verb; anything else (an empty 2xx, a failure)
 * leaves the call in REST mode, whose later events the durable webhook engine delivers as before.
 *
 * In BXML mode the events whose answer is the next document (`answer`, `gather` to the Gather's
 * requestUrl, `redirect`, `transferComplete`) are GETs made here, in order, with the callback timeout:
 * the call needs the answer. The webhook engine skips them (callback-router.ts, VoiceCallRecord.bxml);
 * `hangup`, `error`, `recording` still go to the application's URL through it. Every event stays in the
 * call's event log. A document that is not well-formed, not valid, or over the bounds (bxml-parser.ts),
 * and a requestUrl that does not answer, end the call: `leg.error` with the reason (the `error` event),
 * then the hangup.
 */
import type { Logger } from '../../../log/logger.js';
import type { AudioRequest, TransferRequest, VoiceResult } from '../voice-control.js';
import type { VoiceCall } from '../voice-call.js';
import { BxmlError, MAX_BXML_BYTES, parseBxml } from './bxml-parser.js';
import type { BxmlAnswer, BxmlEvent, BxmlPort, BxmlRequestTarget } from './bxml-port.js';
import type { BxmlVerb, GatherVerb, PromptVerb, RecordVerb, TransferVerb } from './bxml-verbs.js';

/** Docs of the v1 verbs: a document that ends without Hangup/Redirect leaves the call up 30 s, then it is hung up. */
export const BXML_IDLE_HANGUP_MS = 30_000;

/** Starts a transfer of the call (VoiceCalls): `onTargetOver` runs when the new call ends, instead of
 *  hanging up the original (BXML decides). */
export type BxmlTransfer = (a: VoiceCall, t: TransferRequest, onTargetOver: (b: VoiceCall) => void) => Promise<VoiceResult<{ newCallId?: string }>>;

export interface BxmlCallOptions {
  call: VoiceCall;
  port: BxmlPort;
  log: Logger;
  transfer: BxmlTransfer;
  idleHangupMs?: number;
}

/** The end of a document's run: go on with a new document, or stop (the call is over or hung up). */
type Next = { doc: BxmlVerb[]; url: string } | 'done';

class CallOver extends Error {}

export class BxmlCall {
  readonly #o: BxmlCallOptions;
  readonly #call: VoiceCall;
  readonly #events: BxmlEvent[] = [];
  readonly #waiters: { match: (e: BxmlEvent) => boolean; resolve: (e: BxmlEvent) => void; reject: (err: Error) => void }[] = [];
  readonly #feed: { close(): void };
  #over = false;
  readonly #timers = new Set<() => void>();

  constructor(options: BxmlCallOptions) {
    this.#o = options;
    this.#call = options.call;
    this.#feed = options.port.follow(options.call.sessionId, (e) => this.#onEvent(e));
    options.call.onceOver(() => this.#end());
  }

  /** Runs the call's BXML side to its end. Never rejects. */
  async run(): Promise<void> {
    try {
      await this.#run();
    } catch (err) {
      if (!(err instanceof CallOver)) this.#o.log.error({ err, callId: this.#call.id }, 'the BXML call failed');
    } finally {
      this.#feed.close();
    }
  }

  async #run(): Promise<void> {
    const callback = this.#call.record.callback!;
    const target: BxmlRequestTarget = { url: callback.url, timeoutMs: callback.timeoutMs, ...(callback.fallbackUrl ? { fallbackUrl: callback.fallbackUrl } : {}) };
    // bxml/callBacks/incomingCall: the server answers `incomingcall` with a 200; BXML comes with `answer`.
    const incoming = await this.#next((e) => e.name === 'incomingcall');
    await this.#port(target, incoming).catch((err: unknown) => this.#o.log.info({ err: String(err), callId: this.#call.id }, 'incomingcall was not delivered'));
    const answer = await this.#next((e) => e.name === 'answer');
    let answered: BxmlAnswer | undefined;
    try {
      answered = await this.#port(target, answer);
    } catch (err) {
      this.#o.log.info({ err: String(err), callId: this.#call.id }, 'answer was not delivered: the call stays in REST mode');
    }
    if (!answered || !isDocument(answered)) {
      await this.#call.markBxml('off');
      this.#feed.close();
      return;
    }
    await this.#call.markBxml('active');
    let next: Next = this.#document(answered);
    while (next !== 'done') next = await this.#runDocument(next.doc, next.url);
  }

  // ── documents ────────────────────────────────────────────────────────────────────────────────

  /** A fetched answer as a document to run; a bad one ends the call (`leg.error`, then hangup). */
  #document(a: BxmlAnswer): Next {
    if (!isDocument(a)) return { doc: [], url: a.url };
    try {
      return { doc: parseBxml(a.body, a.url), url: a.url };
    } catch (err) {
      if (!(err instanceof BxmlError)) throw err;
      this.#fail(`the BXML document from ${redact(a.url)} was refused: ${err.message}`);
      return 'done';
    }
  }

  async #runDocument(doc: BxmlVerb[], url: string): Promise<Next> {
    this.#o.log.debug({ callId: this.#call.id, verbs: doc.map((v) => v.verb), url: redact(url) }, 'running a BXML document');
    for (const verb of doc) {
      if (!this.#call.active) return 'done';
      const next = await this.#verb(verb);
      if (next !== undefined) return next;
    }
    // Docs of the v1 verbs: the call stays up a while for the application to act, then it is hung up.
    await this.#sleep(this.#o.idleHangupMs ?? BXML_IDLE_HANGUP_MS);
    this.#call.hangUp();
    return 'done';
  }

  /** Runs one verb; a value ends the document (a new one, or done). */
  async #verb(v: BxmlVerb): Promise<Next | undefined> {
    switch (v.verb) {
      case 'SpeakSentence':
      case 'PlayAudio':
        for (const a of audioOf(v)) await this.#call.playAndWait(a);
        return undefined;
      case 'Gather':
        return this.#gather(v);
      case 'Transfer':
        await this.#transfer(v);
        return 'done';
      case 'Record':
        await this.#record(v);
        return undefined;
      case 'Hangup':
        this.#call.hangUp();
        return 'done';
      case 'Pause':
        await this.#sleep(v.lengthSeconds * 1000);
        return undefined;
      case 'Redirect': {
        // spec bandwidth §2.16: `redirect` goes to requestUrl; its answer replaces the document.
        this.#call.note({ type: 'leg.redirected' });
        const event = await this.#next((e) => e.name === 'redirect');
        return this.#fetchNext({ url: v.requestUrl, timeoutMs: this.#timeout(v.requestUrlTimeoutMs) }, event, '<Redirect> requestUrl');
      }
      case 'SendDtmf': {
        const r = this.#call.sendDtmf(v.digits);
        if (!r.ok) return 'done';
        return undefined;
      }
    }
  }

  /** spec bandwidth §3.5 with the verb's prompts: the last prompt is the gather's (interrupted by the first
   *  digit); earlier ones play before it. No digit: the next verb runs; digits: `gather` to requestUrl. */
  async #gather(v: GatherVerb): Promise<Next | undefined> {
    const prompts = v.prompts.flatMap(audioOf);
    const last = prompts.pop();
    for (const a of prompts) await this.#call.playAndWait(a);
    const started = await this.#call.startGather({
      maxDigits: Math.min(v.maxDigits, 128),
      interDigitTimeoutSeconds: v.interDigitTimeoutSeconds,
      terminatingDigits: v.terminatingDigits,
      ...(v.tag !== undefined ? { tag: v.tag } : {}),
      ...(last ? { prompt: last } : {}),
    });
    if (!started.ok) return 'done';
    const gatherId = started.value.id;
    const event = await this.#next((e) => e.name === 'gather' && e.payload.gatherId === gatherId);
    if (!event.payload.digits) return undefined;
    return this.#fetchNext({ url: v.requestUrl, timeoutMs: this.#timeout(v.requestUrlTimeoutMs) }, event, '<Gather> requestUrl');
  }

  /** `<Record>` on its own: the caller is recorded until maxDuration, a terminating digit or the hangup. */
  async #record(v: RecordVerb): Promise<void> {
    const on = await this.#call.setRecording(true);
    if (!on.ok) return;
    const digits = v.terminatingDigits;
    let done!: () => void;
    const stop = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(done, v.maxDurationSeconds * 1000);
    this.#timers.add(done);
    if (digits) void this.#next((e) => e.name === 'dtmf' && typeof e.payload.dtmfDigit === 'string' && digits.includes(e.payload.dtmfDigit)).then(done, done);
    await stop;
    clearTimeout(timer);
    this.#timers.delete(done);
    if (this.#call.active) await this.#call.setRecording(false);
  }

  /**
   * `<Transfer>`: its numbers are tried one after the other (each for callTimeout). When a transferred call
   * that was answered ends: `transferComplete` (spec bandwidth §2.16) to requestUrl, then this call is hung
   * up (the docs of the verb: verbs after `<Transfer>` never run). No number answered: hung up.
   */
  async #transfer(v: TransferVerb): Promise<void> {
    const whisper = v.whisper.flatMap(audioOf)[0];
    for (const number of v.numbers) {
      if (!this.#call.active) return;
      let targetOver!: (b: VoiceCall) => void;
      const over = new Promise<VoiceCall>((resolve) => (targetOver = resolve));
      const r = await this.#o.transfer(
        this.#call,
        {
          transferTo: number,
          ...(v.transferCallerId ? { transferCallerId: v.transferCallerId } : {}),
          ...(whisper ? { whisperAudio: whisper } : {}),
          ...(v.record ? { recordingEnabled: true } : {}),
          ...(v.callTimeoutSeconds !== undefined ? { callTimeoutSeconds: v.callTimeoutSeconds } : {}),
        },
        (b) => targetOver(b),
      );
      if (!r.ok) {
        this.#fail(`<Transfer> to ${number} was refused: ${r.message}`);
        return;
      }
      const b = await Promise.race([over, this.#untilOver()]);
      if (!this.#call.active) return;
      if (b.record.activeTime === undefined) {
        await this.#call.transferring(false);
        continue;
      }
      this.#call.note({ type: 'transfer.completed', targetLegId: b.id });
      const event = await this.#next((e) => e.name === 'transferComplete');
      if (v.requestUrl) {
        // The docs of the event: its answer is not run.
        await this.#port({ url: v.requestUrl, timeoutMs: this.#timeout(v.requestUrlTimeoutMs) }, event).catch((err: unknown) => this.#o.log.info({ err: String(err), callId: this.#call.id }, 'transferComplete was not delivered'));
      }
      this.#call.hangUp();
      return;
    }
    this.#call.hangUp();
  }

  // ── requests ─────────────────────────────────────────────────────────────────────────────────

  /** GETs an event whose answer is the next document; no answer ends the call with an error. */
  async #fetchNext(target: BxmlRequestTarget, event: BxmlEvent, what: string): Promise<Next> {
    let a: BxmlAnswer;
    try {
      a = await this.#port(target, event);
    } catch (err) {
      this.#fail(`${what} ${redact(target.url)} did not answer: ${(err as Error).message}`);
      return 'done';
    }
    if (!this.#call.active) return 'done';
    return this.#document(a);
  }

  #port(target: BxmlRequestTarget, event: BxmlEvent): Promise<BxmlAnswer> {
    return this.#o.port.get(target, event, MAX_BXML_BYTES);
  }

  /** A verb's requestUrlTimeout, else the call's callback timeout (spec bandwidth §1.2). */
  #timeout(ms: number | undefined): number {
    return ms ?? this.#call.record.callback?.timeoutMs ?? 10_000;
  }

  /** Ends the call for a BXML error: `leg.error` (the `error` event), a log line, then the hangup. */
  #fail(message: string): void {
    this.#o.log.warn({ callId: this.#call.id, reason: message }, 'BXML error: the call is hung up');
    this.#call.note({ type: 'leg.error', message });
    this.#call.hangUp();
  }

  // ── the call's events ────────────────────────────────────────────────────────────────────────

  #onEvent(e: BxmlEvent): void {
    if (e.callId !== this.#call.id) return;
    const i = this.#waiters.findIndex((w) => w.match(e));
    if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(e);
    else this.#events.push(e);
    if (e.name === 'hangup') this.#end();
  }

  /** The next event of this call that matches (one already logged first), or CallOver once the call ended. */
  #next(match: (e: BxmlEvent) => boolean): Promise<BxmlEvent> {
    const i = this.#events.findIndex(match);
    if (i >= 0) return Promise.resolve(this.#events.splice(i, 1)[0]!);
    if (this.#over) return Promise.reject(new CallOver());
    return new Promise((resolve, reject) => this.#waiters.push({ match, resolve, reject }));
  }

  #untilOver(): Promise<never> {
    return this.#next(() => false) as Promise<never>;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#over) return Promise.reject(new CallOver());
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.#timers.delete(wake);
        if (this.#over) reject(new CallOver());
        else resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#timers.add(wake);
    });
  }

  #end(): void {
    if (this.#over) return;
    this.#over = true;
    for (const w of this.#waiters.splice(0)) w.reject(new CallOver());
    for (const wake of [...this.#timers]) wake();
  }
}

/** spec bandwidth §1.2: BXML mode's answer is a document; an XML content type or a body starting with `<`. */
export function isDocument(a: Pick<BxmlAnswer, 'contentType' | 'body'>): boolean {
  return /\bxml\b/i.test(a.contentType) || a.body.trimStart().startsWith('<');
}

/** A prompt verb as the audio requests to play (PlayAudio's repeatCount as that many plays). */
function audioOf(p: PromptVerb): AudioRequest[] {
  if (p.verb === 'SpeakSentence') return [{ sentence: p.sentence, ...(p.gender ? { gender: p.gender } : {}), ...(p.locale ? { locale: p.locale } : {}), ...(p.voice ? { voice: p.voice } : {}) }];
  const one: AudioRequest = { fileUrl: p.url, ...(p.volume ? { volume: p.volume } : {}) };
  return Array.from({ length: p.repeatCount }, () => one);
}

function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//');
}
