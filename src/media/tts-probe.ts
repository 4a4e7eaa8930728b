/**
 * Whether text-to-speech can work at all: `espeak-ng --version` once at start, so a missing espeak-ng is a
 * warning at start and a line in /health instead of a failure found call by call (media/tts.ts).
 */
import { execFile } from 'node:child_process';

export interface TtsStatus {
  available: boolean;
  engine: 'espeak-ng';
  /** Why not, when unavailable: what a person can act on. */
  reason?: string;
}

export function probeTts(espeakPath = 'espeak-ng', timeoutMs = 5000): Promise<TtsStatus> {
  return new Promise((resolve) => {
    execFile(espeakPath, ['--version'], { timeout: timeoutMs }, (err) => {
      if (!err) return resolve({ available: true, engine: 'espeak-ng' });
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? `${espeakPath} is not installed (or not on PATH): install the espeak-ng package` : `${espeakPath} --version failed: ${err.message.split('\n')[0]}`;
      resolve({ available: false, engine: 'espeak-ng', reason });
    });
  });
}
