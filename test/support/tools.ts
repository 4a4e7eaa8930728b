import { spawnSync } from 'node:child_process';

/**
 * Tests that need an external tool call this and skip loudly when it is missing. CI installs every tool
 * (.ci/run), so nothing skips there; on a developer machine the skip says what to install.
 */
export function missingTool(name: string, debianPackage: string): string | false {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status === 0) return false;
  const msg = `SKIPPED: '${name}' is not installed (apt-get install ${debianPackage}); CI installs it`;
  process.stderr.write(`\n*** ${msg} ***\n`);
  return msg;
}
