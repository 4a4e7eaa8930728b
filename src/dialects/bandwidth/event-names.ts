/**
 * Every callback `eventType` of the voice API (spec bandwidth §2). The "reject event" of §2.6 is not a
 * name of its own: it is a `hangup` with cause `CALL_REJECTED`.
 */
export const bandwidthEventNames = [
  'incomingcall',
  'answer',
  'timeout',
  'hangup',
  'playback',
  'speak',
  'dtmf',
  'gather',
  'recording',
  'transcription',
  'conference',
  'conference-member',
  'conference-playback',
  'conference-speak',
  'error',
  'transferComplete',
  'redirect',
  'sms',
  'mms',
] as const;

export type BandwidthEventName = (typeof bandwidthEventNames)[number];
