/**
 * The prompts Ringside ships. Each is defined by its text (rendered with espeak-ng) or its tone, so the
 * install carries no audio files; a deployment replaces any of them by putting `<name>.wav` (or `.ulaw`,
 * `.alaw`) in the prompts dir, which always wins over the generated version.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from './errors.js';
import type { TextToSpeech } from './tts.js';
import { synthesizeTone, type ToneSpec } from './tones.js';
import { encodePcm16Wav } from './wav.js';
import { TELEPHONE_RATE } from './audio-file.js';

export type PromptDefinition = { text: string } | { tone: ToneSpec };

export const BUILTIN_PROMPTS = {
  'call-confirm': { text: 'You have a call. Press 1 to accept this call, or hang up to decline.' },
  'agent-pin': { text: 'Please enter your PIN, followed by pound.' },
  'wrong-pin': { text: 'That PIN is not correct. Please try again.' },
  'voicemail-greeting': { text: 'The person you are calling is not available. Please leave a message after the tone.' },
  'conference-joined': { text: 'You are now joining the conference.' },
  goodbye: { text: 'Goodbye.' },
  beep: { tone: { frequencies: [1000], durationMs: 400, level: 0.4 } },
  // North American ringback: 440 + 480 Hz, 2 s on, 4 s off (one cycle; the switch loops it).
  ringback: { tone: { frequencies: [440, 480], durationMs: 6000, level: 0.3, cadenceMs: [2000, 4000] } },
  // Busy: 480 + 620 Hz, 0.5 s on, 0.5 s off.
  busy: { tone: { frequencies: [480, 620], durationMs: 3000, level: 0.3, cadenceMs: [500, 500] } },
} satisfies Record<string, PromptDefinition>;

export type BuiltinPrompt = keyof typeof BUILTIN_PROMPTS;

const OVERRIDE_EXTENSIONS = ['.wav', '.ulaw', '.alaw'];

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

export class PromptLibrary {
  readonly promptsDir: string | null;
  readonly cacheDir: string;
  readonly #tts: TextToSpeech;
  readonly #defs: Record<string, PromptDefinition>;

  constructor(o: { promptsDir?: string | null; cacheDir: string; tts: TextToSpeech; extra?: Record<string, PromptDefinition> }) {
    this.promptsDir = o.promptsDir ?? null;
    this.cacheDir = join(o.cacheDir, 'prompts');
    this.#tts = o.tts;
    this.#defs = { ...BUILTIN_PROMPTS, ...(o.extra ?? {}) };
  }

  names(): string[] {
    return Object.keys(this.#defs);
  }

  /** The file to play for a prompt: the deployment's recording if present, else the generated one. */
  async resolve(name: string): Promise<string> {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) throw new NotFoundError(`invalid prompt name '${name}'`);
    if (this.promptsDir) {
      for (const ext of OVERRIDE_EXTENSIONS) {
        const p = join(this.promptsDir, name + ext);
        if (await exists(p)) return p;
      }
    }
    const def = this.#defs[name];
    if (!def) throw new NotFoundError(`no prompt named '${name}' (known: ${this.names().join(', ')})`);
    if ('text' in def) return this.#tts.render(def.text);
    // The key includes the tone's definition, so a changed definition is not served stale.
    const key = createHash('sha256').update(JSON.stringify(def.tone)).digest('hex').slice(0, 12);
    const p = join(this.cacheDir, `${name}-${key}.wav`);
    if (!(await exists(p))) {
      await mkdir(this.cacheDir, { recursive: true });
      const tmp = `${p}.${process.pid}.tmp`;
      await writeFile(tmp, encodePcm16Wav(synthesizeTone(def.tone, TELEPHONE_RATE), TELEPHONE_RATE));
      await rename(tmp, p);
    }
    return p;
  }

  /** Renders every prompt now (at startup), so the first call does not wait for espeak-ng. */
  async warm(): Promise<void> {
    for (const n of this.names()) await this.resolve(n);
  }
}
