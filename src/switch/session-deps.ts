/** What a session of the switch (a Call, an Originate) runs with. */
import type { FactSink } from '../events/model/fact-sink.js';
import type { SipStack } from '../sip/index.js';
import type { MediaControl } from '../media/media-control.js';
import type { Logger } from '../log/logger.js';
import type { TransferService } from './conversation-types.js';

export interface SessionDeps {
  stack: SipStack;
  media: MediaControl;
  facts: FactSink;
  logger: Logger;
  /** The URL a recording is served at (`recording.finished.url`, teltel `audio_url`). */
  recordingUrl: (recordingId: string) => string;
  /** Blind transfer (REFER) out of the session's conversation; without it, REFER gets 603. */
  transfer?: TransferService;
}
