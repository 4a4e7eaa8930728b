/**
 * A flow's prompt as a playlist item: text is spoken (TTS), a file is read from the media directory. The
 * schema already refuses absolute paths and `..` (flow-schema.ts); the join is checked again here so a
 * path that slipped past it can never leave the directory.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { PlayItem } from '../../media/player.js';
import type { Prompt } from '../../config/call-flow/flow-types.js';

export function promptItem(prompt: Prompt, mediaDir: string): PlayItem {
  if ('text' in prompt) return { speak: prompt.text };
  return { file: mediaFile(prompt.file, mediaDir) };
}

/** `file` under `mediaDir`; throws when it would leave it. */
export function mediaFile(file: string, mediaDir: string): string {
  const base = resolve(mediaDir);
  const full = resolve(join(base, file));
  const rel = relative(base, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`media file '${file}' is outside the media directory`);
  return full;
}
