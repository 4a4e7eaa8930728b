/**
 * Request schemas the voice API's routes share (spec bandwidth §0, §3): path parameters, URLs, numbers,
 * callback settings and the audio object (§3.4). Bodies refuse unknown fields (voice-validation.ts).
 */
import type { AudioRequest } from '../../switch/voice/voice-control.js';
import type { CallbackTarget } from '../../store/voice-records.js';
import { pageQueryProperties } from './voice-paging.js';
import { invalidField } from './voice-error.js';

export const httpUrl = { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 } as const;
export const e164 = { type: 'string', pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164 number' } as const;
/** spec bandwidth §3.2 `to`: E.164 or `sip:user@host` (SIPS unsupported). */
export const callTarget = { type: 'string', pattern: '^(\\+[1-9][0-9]{1,14}|sip:[^@\\s]+@[^\\s]+)$', maxLength: 256, description: 'E.164 number or sip:user@host' } as const;
export const tag = { type: 'string', maxLength: 256 } as const;
/** spec bandwidth §1.2: callback timeouts in ms, > 0, default and maximum 10 000. */
export const callbackTimeout = { type: 'integer', minimum: 1, maximum: 10000 } as const;
export const httpMethod = { enum: ['GET', 'POST'], description: 'GET or POST, any case' } as const;

const id = { type: 'string', minLength: 1, maxLength: 128 } as const;

/** `{userId}` and the ids after it, every one required. */
export function pathParams(...names: string[]) {
  return { type: 'object', required: ['userId', ...names], properties: Object.fromEntries(['userId', ...names].map((n) => [n, id])) };
}

/** A list's query: page/size and the route's filters; unknown parameters are refused. */
export function listQuery(filters: Record<string, object> = {}) {
  return { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties, ...filters } } as const;
}

/** spec bandwidth §3.4 locales (examples also use `en`). */
const locales = ['en_US', 'en_UK', 'en', 'es', 'es_MX', 'fr', 'fr_FR', 'de', 'de_DE', 'it_IT'];

/** spec bandwidth §3.4 audio object; `which` picks the fields a route takes (bridges: no loop/tag/volume). */
export function audioObject(which: { loop?: boolean; tag?: boolean; volume?: boolean; bargeable?: boolean } = {}) {
  const properties: Record<string, object> = {
    sentence: { type: 'string', maxLength: 1000, description: '"" stops speech' },
    fileUrl: { anyOf: [httpUrl, { const: '' }], description: 'WAV or MP3; "" stops playback' },
    gender: { enum: ['male', 'female'] },
    locale: { enum: locales },
    voice: { type: 'string', minLength: 1, maxLength: 64 },
  };
  if (which.loop) properties.loopEnabled = { type: 'boolean' };
  if (which.tag) properties.tag = tag;
  if (which.volume) properties.volume = { type: 'integer', minimum: -4, maximum: 4 };
  if (which.bargeable) properties.bargeable = { type: 'boolean', description: 'deprecated; the prompt is always interrupted by the first digit' };
  return { type: 'object', additionalProperties: false, properties };
}

export type AudioBody = AudioRequest;

/** An audio request needs something to play or stop (spec bandwidth §3.4). */
export function checkAudio(a: AudioBody, field: string): void {
  if (a.sentence === undefined && a.fileUrl === undefined) throw invalidField(field ? `${field}.sentence` : 'sentence', undefined, `${field || 'the audio'} needs 'sentence' or 'fileUrl'`);
}

/** The audio object as the switch takes it: only the fields given. */
export function audioRequest(a: AudioBody): AudioRequest {
  const out: AudioRequest = {};
  for (const k of ['sentence', 'fileUrl', 'gender', 'locale', 'voice', 'loopEnabled', 'tag', 'volume'] as const) if (a[k] !== undefined) (out as Record<string, unknown>)[k] = a[k];
  return out;
}

/** Callback settings of a body (`callbackUrl`, `callbackHttpMethod`, `callbackTimeout`, `fallbackUrl`). */
export function callbackTarget(b: { callbackUrl?: string; callbackHttpMethod?: 'GET' | 'POST'; callbackTimeout?: number; fallbackUrl?: string }): CallbackTarget | undefined {
  if (b.callbackUrl === undefined) {
    if (b.fallbackUrl !== undefined) throw invalidField('fallbackUrl', b.fallbackUrl, "'fallbackUrl' needs 'callbackUrl' (spec bandwidth §1.2)");
    return undefined;
  }
  const t: CallbackTarget = { url: b.callbackUrl, method: b.callbackHttpMethod ?? 'POST', timeoutMs: b.callbackTimeout ?? 10000 };
  if (b.fallbackUrl !== undefined) t.fallbackUrl = b.fallbackUrl;
  return t;
}
