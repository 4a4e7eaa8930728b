/**
 * A BXML document as the interpreter runs it (spec bandwidth §1.2 "BXML mode"): the verbs of the
 * provider's v1 BXML, typed, with defaults applied. bxml-parser.ts makes these from the XML text;
 * bxml-call.ts runs them against a VoiceCall. docs/voice-api.md "BXML" lists each attribute.
 */

/** `<SpeakSentence gender locale voice>text</SpeakSentence>`. */
export interface SpeakSentenceVerb {
  verb: 'SpeakSentence';
  sentence: string;
  gender?: 'male' | 'female';
  locale?: string;
  voice?: string;
}

/** `<PlayAudio volume repeatCount>url</PlayAudio>`. */
export interface PlayAudioVerb {
  verb: 'PlayAudio';
  url: string;
  /** −4…4 (3 dB a step, as the REST audio object). */
  volume?: number;
  /** 1…30, default 1. */
  repeatCount: number;
}

export type PromptVerb = SpeakSentenceVerb | PlayAudioVerb;

/** `<Gather>` with nested prompts; its `gather` event goes to `requestUrl`, whose answer continues the call. */
export interface GatherVerb {
  verb: 'Gather';
  requestUrl: string;
  requestUrlTimeoutMs?: number;
  terminatingDigits: string;
  maxDigits: number;
  interDigitTimeoutSeconds: number;
  tag?: string;
  prompts: PromptVerb[];
}

/** `<Record>`: on its own, records the caller until `maxDuration`, a terminating digit or the hangup;
 *  nested in `<Transfer>`, records the transferred call. */
export interface RecordVerb {
  verb: 'Record';
  maxDurationSeconds: number;
  terminatingDigits?: string;
  fileFormat: 'wav' | 'mp3';
}

/** `<Transfer transferTo transferCallerId callTimeout requestUrl requestUrlTimeout tag>` with nested
 *  `<PhoneNumber>`s, a whisper (SpeakSentence / PlayAudio) and an optional `<Record>`. */
export interface TransferVerb {
  verb: 'Transfer';
  /** transferTo first, then each PhoneNumber (at most 7 in all). */
  numbers: string[];
  transferCallerId?: string;
  callTimeoutSeconds?: number;
  requestUrl?: string;
  requestUrlTimeoutMs?: number;
  tag?: string;
  whisper: PromptVerb[];
  record?: RecordVerb;
}

export interface HangupVerb {
  verb: 'Hangup';
}

/** `<Pause length>`: seconds, default 1, max 3600. */
export interface PauseVerb {
  verb: 'Pause';
  lengthSeconds: number;
}

/** `<Redirect requestUrl requestUrlTimeout>`: the `redirect` event goes there; its answer replaces the document. */
export interface RedirectVerb {
  verb: 'Redirect';
  requestUrl: string;
  requestUrlTimeoutMs?: number;
}

/** `<SendDtmf>digits</SendDtmf>`: up to 92 of `0-9 * # A-D , w W` (spec bandwidth §3.5). */
export interface SendDtmfVerb {
  verb: 'SendDtmf';
  digits: string;
}

export type BxmlVerb = PromptVerb | GatherVerb | RecordVerb | TransferVerb | HangupVerb | PauseVerb | RedirectVerb | SendDtmfVerb;
