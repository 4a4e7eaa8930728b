/**
 * How the tour writes to the terminal: a heading per step, then one line per thing that happens, in the
 * order it happens — what a simulated party does (`bob      answers`) and each RealTime event as the
 * WebSocket delivered it (`event    15:00:04  voice.incoming.answer …`). Plain text, one line each, so
 * the output reads the same in a terminal, a CI log or a file.
 */
import { eventLine, type RealtimeFrame } from './event-line.js';

const ACTOR_WIDTH = 8;

export class TourOutput {
  #muted = false;

  constructor(readonly stream: NodeJS.WritableStream = process.stdout) {}

  line(text = ''): void {
    if (!this.#muted) this.stream.write(`${text}\n`);
  }

  /** Writes nothing more (an interrupted tour: what its steps do while being torn down is noise). */
  mute(): void {
    this.#muted = true;
  }

  /** `  bob      answers` */
  readonly say = (actor: string, text: string): void => {
    this.line(`  ${actor.padEnd(ACTOR_WIDTH)} ${text}`);
  };

  /** `  event    15:00:04  voice.incoming.answer  …` */
  event(e: RealtimeFrame): void {
    this.say('event', eventLine(e));
  }

  heading(n: number, total: number, title: string): void {
    this.line();
    this.line(`Step ${n}/${total}: ${title}`);
  }
}
