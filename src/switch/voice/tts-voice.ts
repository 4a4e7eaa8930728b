/**
 * The voice API's `voice`, `gender` and `locale` (spec bandwidth §3.4) as an espeak-ng voice name for
 * TextToSpeech (media/tts.ts): `<language>+<variant>`, e.g. `en-us+f3`. The provider's named voices are
 * recordings we do not have; each becomes a fixed espeak-ng variant of its language and gender, so one
 * name always sounds the same and two names of one language sound different.
 *
 * Precedence: a named voice fixes the language and the gender (it wins over `gender`); `locale` then only
 * picks the dialect when it is of the voice's language (Jorge + es_MX → Latin-American Spanish), and is
 * otherwise ignored. Without a voice, `locale` (default en_US) and `gender` (default female) pick the
 * locale's default voice of that gender. Matching is case-insensitive (spec bandwidth §0 Proposed); `-`
 * is read as `_` in locales.
 */
import type { VoiceResult } from './voice-control.js';

type Gender = 'female' | 'male';

interface Locale {
  /** espeak-ng language (`espeak-ng --voices`). */
  espeak: string;
  /** The language family a named voice belongs to. */
  language: string;
}

/** spec bandwidth §3.4 locales; `en_GB` and `it` are accepted too, as the obvious spellings. */
const LOCALES: Record<string, Locale> = {
  en_us: { espeak: 'en-us', language: 'en' },
  en: { espeak: 'en-us', language: 'en' },
  en_uk: { espeak: 'en-gb', language: 'en' },
  en_gb: { espeak: 'en-gb', language: 'en' },
  es: { espeak: 'es', language: 'es' },
  es_mx: { espeak: 'es-419', language: 'es' },
  fr: { espeak: 'fr-fr', language: 'fr' },
  fr_fr: { espeak: 'fr-fr', language: 'fr' },
  de: { espeak: 'de', language: 'de' },
  de_de: { espeak: 'de', language: 'de' },
  it_it: { espeak: 'it', language: 'it' },
  it: { espeak: 'it', language: 'it' },
};

interface NamedVoice {
  locale: string;
  gender: Gender;
  /** espeak-ng variant (`espeak-ng --voices=variant`); f1/m1 are aged voices, so they are not used. */
  variant: string;
}

/** spec bandwidth §3.4 voices. Each locale's default of a gender uses f3/m3, the others the rest. */
const VOICES: Record<string, NamedVoice> = {
  kate: { locale: 'en_us', gender: 'female', variant: 'f2' },
  susan: { locale: 'en_us', gender: 'female', variant: 'f3' },
  julie: { locale: 'en_us', gender: 'female', variant: 'f4' },
  dave: { locale: 'en_us', gender: 'male', variant: 'm3' },
  paul: { locale: 'en_us', gender: 'male', variant: 'm2' },
  bridget: { locale: 'en_uk', gender: 'female', variant: 'f3' },
  esperanza: { locale: 'es', gender: 'female', variant: 'f3' },
  violeta: { locale: 'es', gender: 'female', variant: 'f2' },
  jorge: { locale: 'es', gender: 'male', variant: 'm3' },
  jolie: { locale: 'fr', gender: 'female', variant: 'f3' },
  bernard: { locale: 'fr', gender: 'male', variant: 'm3' },
  katrin: { locale: 'de', gender: 'female', variant: 'f3' },
  stefan: { locale: 'de', gender: 'male', variant: 'm3' },
  paola: { locale: 'it_it', gender: 'female', variant: 'f3' },
  luca: { locale: 'it_it', gender: 'male', variant: 'm3' },
};

/** The variant of a locale's default voice of each gender (Susan, Dave; Bridget; Esperanza, Jorge; …). */
const DEFAULT_VARIANT: Record<Gender, string> = { female: 'f3', male: 'm3' };

/** spec bandwidth §3.4 voice names, as documented (for error messages and docs). */
export const TTS_VOICE_NAMES = ['Kate', 'Susan', 'Julie', 'Dave', 'Paul', 'Bridget', 'Esperanza', 'Violeta', 'Jorge', 'Jolie', 'Bernard', 'Katrin', 'Stefan', 'Paola', 'Luca'] as const;
export const TTS_LOCALES = ['en_US', 'en_UK', 'en', 'es', 'es_MX', 'fr', 'fr_FR', 'de', 'de_DE', 'it_IT'] as const;

export interface TtsVoiceRequest {
  voice?: string;
  gender?: string;
  locale?: string;
}

function invalid(name: string, value: string, allowed: readonly string[]): VoiceResult<string> {
  return { ok: false, status: 400, category: 'bad-request', code: 'validation-error', message: `${name} '${value}' is not one of ${allowed.join(', ')}` };
}

/** The espeak-ng voice for an audio object's voice fields, or a 400 `validation-error` naming the bad one. */
export function espeakVoiceFor(r: TtsVoiceRequest): VoiceResult<string> {
  let locale: Locale | undefined;
  if (r.locale !== undefined && r.locale !== '') {
    locale = LOCALES[r.locale.toLowerCase().replace('-', '_')];
    if (!locale) return invalid('locale', r.locale, TTS_LOCALES);
  }
  let gender: Gender | undefined;
  if (r.gender !== undefined && r.gender !== '') {
    const g = r.gender.toLowerCase();
    if (g !== 'female' && g !== 'male') return invalid('gender', r.gender, ['female', 'male']);
    gender = g;
  }
  if (r.voice !== undefined && r.voice !== '') {
    const v = VOICES[r.voice.toLowerCase()];
    if (!v) return invalid('voice', r.voice, TTS_VOICE_NAMES);
    const home = LOCALES[v.locale]!;
    const dialect = locale && locale.language === home.language ? locale : home;
    return { ok: true, value: `${dialect.espeak}+${v.variant}` };
  }
  return { ok: true, value: `${(locale ?? LOCALES.en_us!).espeak}+${DEFAULT_VARIANT[gender ?? 'female']}` };
}
