/**
 * For tests that measure time (pacing, recording length) on a shared 2-core machine: a stall of the
 * event loop or of the whole VM, which the product cannot prevent, can spoil one measurement. The check
 * runs again from scratch, at most `attempts` times, and must pass once with its bounds unchanged; a real
 * fault (a drifting schedule, lost audio) fails every attempt. Each failed attempt is reported.
 */
export async function measureWithRetries(t: { diagnostic(message: string): void }, attempts: number, run: (attempt: number) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run(attempt);
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      t.diagnostic(`attempt ${attempt} of ${attempts} failed, measuring again: ${(err as Error).message}`);
    }
  }
}
