import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { espeakVoiceFor, TTS_LOCALES, TTS_VOICE_NAMES, type TtsVoiceRequest } from './tts-voice.js';

function voiceOf(r: TtsVoiceRequest): string {
  const v = espeakVoiceFor(r);
  assert.ok(v.ok, JSON.stringify(r));
  return v.value;
}

test('defaults: Susan (en_US, female); gender and locale pick the locale default of that gender', () => {
  const cases: [TtsVoiceRequest, string][] = [
    [{}, 'en-us+f3'],
    [{ voice: 'Susan' }, 'en-us+f3'],
    [{ gender: 'male' }, 'en-us+m3'],
    [{ voice: 'dave' }, 'en-us+m3'],
    [{ locale: 'en' }, 'en-us+f3'],
    [{ locale: 'en_UK' }, 'en-gb+f3'],
    [{ locale: 'en_UK', gender: 'male' }, 'en-gb+m3'],
    [{ locale: 'es' }, 'es+f3'],
    [{ locale: 'es_MX', gender: 'male' }, 'es-419+m3'],
    [{ locale: 'fr' }, 'fr-fr+f3'],
    [{ locale: 'fr_FR', gender: 'male' }, 'fr-fr+m3'],
    [{ locale: 'de' }, 'de+f3'],
    [{ locale: 'de_DE', gender: 'male' }, 'de+m3'],
    [{ locale: 'it_IT' }, 'it+f3'],
    [{ locale: 'it_IT', gender: 'male' }, 'it+m3'],
    [{ voice: '', gender: '', locale: '' }, 'en-us+f3'],
  ];
  for (const [r, want] of cases) assert.equal(voiceOf(r), want, JSON.stringify(r));
});

test('every named voice (spec bandwidth §3.4) has its own sound within its language', () => {
  const want: Record<string, string> = {
    Kate: 'en-us+f2',
    Susan: 'en-us+f3',
    Julie: 'en-us+f4',
    Dave: 'en-us+m3',
    Paul: 'en-us+m2',
    Bridget: 'en-gb+f3',
    Esperanza: 'es+f3',
    Violeta: 'es+f2',
    Jorge: 'es+m3',
    Jolie: 'fr-fr+f3',
    Bernard: 'fr-fr+m3',
    Katrin: 'de+f3',
    Stefan: 'de+m3',
    Paola: 'it+f3',
    Luca: 'it+m3',
  };
  assert.deepEqual(Object.keys(want).sort(), [...TTS_VOICE_NAMES].sort());
  for (const [name, v] of Object.entries(want)) {
    assert.equal(voiceOf({ voice: name }), v, name);
    assert.equal(voiceOf({ voice: name.toUpperCase() }), v, 'case-insensitive');
  }
  assert.equal(new Set(Object.values(want)).size, TTS_VOICE_NAMES.length);
});

test('a named voice wins over gender; a locale of its language picks the dialect, another is ignored', () => {
  assert.equal(voiceOf({ voice: 'Dave', gender: 'female' }), 'en-us+m3');
  assert.equal(voiceOf({ voice: 'Jorge', locale: 'es_MX' }), 'es-419+m3');
  assert.equal(voiceOf({ voice: 'Kate', locale: 'en_UK' }), 'en-gb+f2');
  assert.equal(voiceOf({ voice: 'Bridget', locale: 'en_US' }), 'en-us+f3');
  assert.equal(voiceOf({ voice: 'Paola', locale: 'fr' }), 'it+f3');
  assert.equal(voiceOf({ locale: 'ES_mx', gender: 'FEMALE' }), 'es-419+f3');
  assert.equal(voiceOf({ locale: 'en-GB' }), 'en-gb+f3');
});

test('unknown voice, locale or gender: a 400 validation-error naming the field and value', () => {
  for (const [r, field] of [
    [{ voice: 'Alexa' }, 'voice'],
    [{ locale: 'pt_BR' }, 'locale'],
    [{ gender: 'other' }, 'gender'],
    [{ voice: 'Susan', locale: 'xx' }, 'locale'],
  ] as const) {
    const v = espeakVoiceFor(r);
    assert.equal(v.ok, false);
    if (v.ok) continue;
    assert.equal(v.status, 400);
    assert.equal(v.code, 'validation-error');
    assert.match(v.message, new RegExp(`^${field} '`));
  }
});

test('every result is a name TextToSpeech accepts, and its language and variant exist in espeak-ng', (t) => {
  const requests: TtsVoiceRequest[] = [
    ...TTS_VOICE_NAMES.map((voice) => ({ voice })),
    ...TTS_LOCALES.flatMap((locale) => [{ locale, gender: 'female' }, { locale, gender: 'male' }]),
  ];
  const results = requests.map(voiceOf);
  for (const v of results) assert.match(v, /^[A-Za-z0-9_+-]{1,40}$/); // media/tts.ts's check
  let languages: string;
  let variants: string;
  try {
    languages = execFileSync('espeak-ng', ['--voices'], { encoding: 'utf8' });
    variants = execFileSync('espeak-ng', ['--voices=variant'], { encoding: 'utf8' });
  } catch {
    t.skip('espeak-ng is not installed (.ci/run installs it)');
    return;
  }
  // `espeak-ng -v en-us+zz` speaks without complaint, so the variant list is the only check there is.
  const langs = new Set(languages.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]));
  const variantGender = new Map(
    variants
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 5)
      .map((f) => [f.find((x) => x.startsWith('!v/'))!.slice(3), f[2]!.split('/')[1]] as const),
  );
  for (const [i, v] of results.entries()) {
    const [lang, variant] = v.split('+') as [string, string];
    assert.ok(langs.has(lang), `${v}: espeak-ng has no language ${lang}`);
    const gender = variantGender.get(variant);
    assert.ok(gender, `${v}: espeak-ng has no variant ${variant}`);
    const r = requests[i]!;
    const wantGender = r.gender ?? (['Dave', 'Paul', 'Jorge', 'Bernard', 'Stefan', 'Luca'].includes(r.voice!) ? 'male' : 'female');
    assert.equal(gender, wantGender === 'male' ? 'M' : 'F', `${JSON.stringify(r)} → ${v}`);
  }
});
