/**
 * What an answered leg must get through before it is connected to the caller (line options, docs/switch.md
 * "Call confirmation" and "Agent PIN entry"): a key press to accept the call, or the agent's PIN. Plays the
 * prompts, reads the leg's digits (RFC 4733 or SIP INFO, both arrive as the media engine's `dtmf`), and
 * records the confirm/agent-PIN facts in the order facts.ts guarantees. The caller keeps hearing ringback.
 */
import type { UserRef } from '../events/model/facts.js';
import type { MediaControl, MediaListener } from '../media/media-control.js';
import type { PlayItem } from '../media/player.js';
import type { Logger } from '../log/logger.js';
import type { SessionFacts } from './session-facts.js';

export type ScreenOptions =
  | {
      kind: 'confirm';
      /** The key that accepts; any other key declines. */
      acceptDigit: string;
      /** How long to wait for a key once the prompt has played. */
      waitMs: number;
    }
  | {
      kind: 'agent-pin';
      /** `digits`: the PIN alone; `pound`: PIN then `#`; `double-pound`: `#`, PIN, `#`. */
      entry: 'digits' | 'pound' | 'double-pound';
      /** Silence allowed after each prompt and between digits. */
      waitMs: number;
      /** Prompts (the first and the replays after a wrong PIN or silence) before giving up. */
      maxPrompts: number;
      /** The account's user with this PIN. */
      findUser: (pin: string) => Promise<UserRef | undefined>;
    };

export type ScreenOutcome =
  | { ok: true; user?: UserRef }
  /** `declined`: a wrong key or silence (confirm); `no-pin`: no valid PIN in time (agent PIN, the call is
   *  dropped); `cancelled`: the call moved on (`cancel`). */
  | { ok: false; reason: 'declined' | 'no-pin' | 'cancelled' };

/** The longest PIN a user can have (docs/configuration.md `users[].pin`). */
const MAX_PIN_DIGITS = 8;
const MIN_PIN_DIGITS = 4;

export class LegScreen {
  readonly done: Promise<ScreenOutcome>;
  readonly #media: MediaControl;
  readonly #facts: SessionFacts;
  readonly #legId: string;
  readonly #endpointId: string;
  readonly #o: ScreenOptions;
  readonly #log: Logger;
  #resolve!: (o: ScreenOutcome) => void;
  #over = false;
  #timer?: NodeJS.Timeout;
  /** Digits are handled one at a time, in order (a PIN check waits for the store). */
  #queue: Promise<void> = Promise.resolve();
  #attempt = 0;
  #buffer = '';
  /** double-pound: the opening `#` was pressed. */
  #opened = false;
  readonly #onDigit: MediaListener<'dtmf'>;

  constructor(media: MediaControl, facts: SessionFacts, leg: { legId: string; endpointId: string }, options: ScreenOptions, log: Logger) {
    this.#media = media;
    this.#facts = facts;
    this.#legId = leg.legId;
    this.#endpointId = leg.endpointId;
    this.#o = options;
    this.#log = log;
    this.done = new Promise((r) => (this.#resolve = r));
    this.#onDigit = (e) => {
      if (e.endpointId !== this.#endpointId || this.#over) return;
      this.#queue = this.#queue.then(() => this.#digit(e.digit)).catch((err: unknown) => this.#log.error({ err }, 'handling a digit failed'));
    };
  }

  /** Starts prompting. */
  start(): Promise<ScreenOutcome> {
    this.#media.on('dtmf', this.#onDigit);
    if (this.#o.kind === 'confirm') {
      this.#facts.record({ type: 'confirm.prompted', legId: this.#legId });
      void this.#prompt([{ prompt: 'call-confirm' }]);
    } else void this.#pinPrompt(false);
    return this.done;
  }

  /** The call moved on without this leg: the caller left (`hangup`), another leg accepted, or this leg
   *  hung up. A confirmation still open is recorded as rejected for that reason. */
  cancel(reason: 'hangup' | 'other-accepted'): void {
    if (this.#over) return;
    if (this.#o.kind === 'confirm') this.#facts.record({ type: 'confirm.rejected', legId: this.#legId, reason });
    this.#finish({ ok: false, reason: 'cancelled' });
  }

  #finish(o: ScreenOutcome): void {
    if (this.#over) return;
    this.#over = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#media.off('dtmf', this.#onDigit);
    this.#media.stopPlayback(this.#endpointId).catch(() => undefined);
    this.#resolve(o);
  }

  /** Plays the prompt (a key stops it); the wait starts when it ends. */
  async #prompt(items: PlayItem[]): Promise<void> {
    const attempt = this.#attempt;
    let ended: Promise<unknown> = Promise.resolve();
    try {
      ended = (await this.#media.play(this.#endpointId, items, { stopOnDigits: true })).done;
    } catch (err) {
      this.#log.warn({ err }, 'the prompt could not be played; waiting for digits anyway');
    }
    await ended;
    // Only if nothing moved on meanwhile (no digit yet for this prompt, no replay started).
    if (!this.#over && this.#attempt === attempt && this.#buffer === '' && !this.#opened) this.#arm();
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#queue = this.#queue.then(() => this.#silence());
    }, this.#o.waitMs);
  }

  async #silence(): Promise<void> {
    if (this.#over) return;
    if (this.#o.kind === 'confirm') {
      this.#log.info({ legId: this.#legId }, 'call confirmation: no key pressed');
      this.#facts.record({ type: 'confirm.rejected', legId: this.#legId, reason: 'timeout' });
      return this.#finish({ ok: false, reason: 'declined' });
    }
    // Agent PIN: what was typed so far counts (the `digits` entry has no terminator), else prompt again.
    if (this.#o.entry === 'digits' && this.#buffer.length >= MIN_PIN_DIGITS) return this.#checkPin();
    this.#log.info({ legId: this.#legId, attempt: this.#attempt }, 'agent PIN: nothing entered in time');
    return this.#pinPrompt(false);
  }

  async #digit(d: string): Promise<void> {
    if (this.#over) return;
    if (this.#o.kind === 'confirm') {
      const accepted = d === this.#o.acceptDigit;
      this.#log.info({ legId: this.#legId, digit: d, accepted }, 'call confirmation key');
      this.#facts.record(accepted ? { type: 'confirm.accepted', legId: this.#legId, digit: d } : { type: 'confirm.rejected', legId: this.#legId, reason: 'wrong-key' });
      return this.#finish(accepted ? { ok: true } : { ok: false, reason: 'declined' });
    }
    this.#arm();
    const entry = this.#o.entry;
    if (entry === 'double-pound' && !this.#opened) {
      // Digits before the opening `#` are not part of the PIN.
      if (d === '#') this.#opened = true;
      return;
    }
    if (d === '#' && entry !== 'digits') return this.#checkPin();
    if (!/[0-9]/.test(d)) return;
    this.#buffer += d;
    if (entry === 'digits' && this.#buffer.length >= MIN_PIN_DIGITS) {
      const user = await this.#o.findUser(this.#buffer);
      if (user) return this.#valid(this.#buffer, user);
      if (this.#buffer.length >= MAX_PIN_DIGITS) return this.#wrong();
      return;
    }
    if (this.#buffer.length > MAX_PIN_DIGITS) return this.#wrong();
  }

  async #checkPin(): Promise<void> {
    if (this.#o.kind !== 'agent-pin') return;
    const pin = this.#buffer;
    const user = pin.length >= MIN_PIN_DIGITS ? await this.#o.findUser(pin) : undefined;
    if (this.#over) return;
    if (user) return this.#valid(pin, user);
    return this.#wrong();
  }

  #valid(pin: string, user: UserRef): void {
    this.#log.info({ legId: this.#legId, userId: user.id }, 'agent PIN valid');
    this.#facts.record({ type: 'agentpin.valid', legId: this.#legId, pin, user });
    this.#finish({ ok: true, user });
  }

  async #wrong(): Promise<void> {
    this.#log.info({ legId: this.#legId, attempt: this.#attempt }, 'agent PIN wrong');
    return this.#pinPrompt(true);
  }

  /** The next PIN prompt (after a wrong PIN, preceded by "that PIN is not correct"), or the end. */
  async #pinPrompt(afterWrongPin: boolean): Promise<void> {
    if (this.#o.kind !== 'agent-pin' || this.#over) return;
    this.#buffer = '';
    this.#opened = false;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#attempt >= this.#o.maxPrompts) {
      this.#log.info({ legId: this.#legId, prompts: this.#attempt }, 'agent PIN: no valid PIN; the call is dropped');
      this.#facts.record({ type: 'agentpin.timeout', legId: this.#legId });
      return this.#finish({ ok: false, reason: 'no-pin' });
    }
    this.#attempt++;
    this.#facts.record({ type: 'agentpin.prompted', legId: this.#legId, attempt: this.#attempt });
    void this.#prompt(afterWrongPin ? [{ prompt: 'wrong-pin' }, { prompt: 'agent-pin' }] : [{ prompt: 'agent-pin' }]);
  }
}
