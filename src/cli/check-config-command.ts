/**
 * `ringside check-config FILE`: validates a provisioning file as `serve --config` would, without starting
 * anything. Prints a one-line summary (exit 0) or every problem, one per line (exit 2).
 */
import { ConfigError } from '../config/config-error.js';
import { loadConfigFile } from '../config/load-config.js';
import { EXIT_CONFIG, printConfigProblems } from './config-problems.js';

export function runCheckConfig(file: string): number {
  try {
    const config = loadConfigFile(file);
    const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
    const users = config.accounts.reduce((sum, a) => sum + a.users.length, 0);
    const lines = config.accounts.reduce((sum, a) => sum + a.lines.length, 0);
    process.stdout.write(`${file}: valid (${n(config.accounts.length, 'account')}, ${n(users, 'user')}, ${n(lines, 'line')}, ${n(config.trunks.length, 'trunk')})\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      printConfigProblems(err);
      return EXIT_CONFIG;
    }
    throw err;
  }
}
