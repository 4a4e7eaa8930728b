/**
 * How the members of a conversation hear each other.
 *
 * Two parties: the media engine relays one endpoint to the other (`MediaControl.connect`: RTP both ways,
 * transcoding between their codecs) — `RelayAudio`, what every call and originate uses today. Three or
 * more are mixed instead: the media engine has a conference mixer (`MediaEngine.createConference`,
 * `joinConference`, `leaveConference`; src/media/mixer.ts). A mixer-backed `ConversationAudio` over those
 * operations, once MediaControl carries them, is where N-party conferences (and the voice API's
 * conference verbs) plug into Conversation; nothing else in the conversation changes.
 */
import type { MediaControl } from '../media/media-control.js';
import { InvalidStateError } from '../util/errors.js';

export interface ConversationAudio {
  /** The endpoints of legs joining, in the order they join. */
  add(endpointIds: readonly string[]): Promise<void>;
  /** The conversation is over: nobody hears anybody any more. */
  close(): void;
}

export class RelayAudio implements ConversationAudio {
  readonly #media: MediaControl;
  readonly #endpoints: string[] = [];

  constructor(media: MediaControl) {
    this.#media = media;
  }

  /** Connects the two endpoints once both are there. */
  async add(endpointIds: readonly string[]): Promise<void> {
    if (this.#endpoints.length + endpointIds.length > 2) throw new InvalidStateError('a relay connects two parties; more need a conference mixer');
    this.#endpoints.push(...endpointIds);
    const [a, b] = this.#endpoints;
    if (a !== undefined && b !== undefined && endpointIds.length > 0) await this.#media.connect(a, b);
  }

  /** Ends the relay (disconnecting one end ends it for both). */
  close(): void {
    const first = this.#endpoints[0];
    if (first !== undefined) this.#media.disconnect(first).catch(() => undefined);
  }
}
