/** How the CLI reports a broken configuration: a count, then each problem on its own line, once. */
import type { ConfigError } from '../config/config-error.js';

/** Exit status of a refused setting or configuration. */
export const EXIT_CONFIG = 2;

export function printConfigProblems(err: ConfigError, out: NodeJS.WritableStream = process.stderr): void {
  const n = err.problems.length;
  out.write(`ringside: the configuration is invalid (${n} problem${n === 1 ? '' : 's'}):\n`);
  for (const p of err.problems) out.write(`  ${p.text}\n`);
}
