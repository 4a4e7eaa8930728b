/**
 * deploy/: the systemd unit and the Dockerfile, used the way they say. No Docker daemon runs here (nor on
 * CI's machine), so the Dockerfile's steps are carried out by this test instead: its COPY lines copy from
 * the repository into an image root under a temporary directory, its `tsc` RUN step runs there, and its CMD
 * starts Ringside in its WORKDIR with its ENV. The steps that need the network or root (npm ci, npm prune,
 * apt-get, chown) are replaced by linking the repository's node_modules, and say so below. The unit is
 * checked by `systemd-analyze verify`, then its ExecStart runs with its Environment in its WorkingDirectory.
 * Both must start Ringside, answer /health, and stop cleanly on their stop signal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startRingside } from '../support/ringside-process.js';
import { missingTool } from '../support/tools.js';

const ROOT = resolve('.');
const run = promisify(execFile);

/** Ports and data that the test must own: every deployment file names fixed ones. */
function testOverrides(dataDir: string): NodeJS.ProcessEnv {
  return { RINGSIDE_DATA: dataDir, RINGSIDE_HOST: '127.0.0.1', RINGSIDE_HTTP_PORT: '0', RINGSIDE_SIP_PORT: '0' };
}

async function healthy(httpPort: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/health`);
  assert.equal(res.status, 200);
}

test('systemd unit: verifies, and its ExecStart with its Environment starts Ringside, stopped by KillSignal', { skip: missingTool('systemd-analyze', 'systemd'), timeout: 150_000 }, async (t) => {
  const unit = readFileSync('deploy/ringside.service', 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'ringside-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The unit as installed, but naming this checkout and this node.
  const local = unit.replaceAll('/usr/bin/node', process.execPath).replaceAll('/opt/ringside', ROOT);
  writeFileSync(join(dir, 'ringside.service'), local);
  const verify = await run('systemd-analyze', ['verify', join(dir, 'ringside.service')]).catch((e: { stderr: string; code: number }) => e);
  assert.ok(!('code' in verify) || verify.code === undefined, `systemd-analyze verify: ${'stderr' in verify ? verify.stderr : ''}`);
  assert.doesNotMatch(verify.stderr, /ringside\.service/, `no complaint about the unit: ${verify.stderr}`);

  const service = Object.fromEntries([...unit.matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  const environment = Object.fromEntries([...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  assert.equal(environment.RINGSIDE_DATA, '/var/lib/ringside');
  assert.ok(unit.includes('ReadWritePaths=/var/lib/ringside') && unit.includes('StateDirectory=ringside'), 'the data directory is writable under ProtectSystem=strict');
  await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { timeout: 120_000 });
  const argv = service.ExecStart!.replaceAll('/usr/bin/node', process.execPath).replaceAll('/opt/ringside', ROOT).split(/\s+/);
  const env = { ...process.env, ...environment, RINGSIDE_CONFIG: join(ROOT, 'examples/demo.yaml'), ...testOverrides(join(dir, 'data')) };
  const r = await startRingside(t, [], { command: { argv, cwd: service.WorkingDirectory!.replace('/opt/ringside', ROOT), env } });
  await healthy(r.httpPort);
  assert.equal(service.KillSignal, 'SIGTERM');
  const stopped = Date.now();
  assert.equal(await r.stop(service.KillSignal as NodeJS.Signals), 0, 'a clean stop (Restart=on-failure does not restart it)');
  assert.ok(Date.now() - stopped < Number(service.TimeoutStopSec) * 1000, 'within TimeoutStopSec');
});

test('Dockerfile: its COPY, build and CMD steps, carried out without a daemon, start Ringside', { timeout: 180_000 }, async (t) => {
  const file = readFileSync('deploy/Dockerfile', 'utf8');
  const image = mkdtempSync(join(tmpdir(), 'ringside-image-'));
  t.after(() => rmSync(image, { recursive: true, force: true }));
  const stages = file.split(/^FROM /m).slice(1);
  assert.equal(stages.length, 2, 'a build stage and a runtime stage');
  const [build, runtime] = stages.map((s) => [...s.matchAll(/^(\w+) (.*)$/gm)].map((m) => ({ op: m[1]!, arg: m[2]! }))) as [{ op: string; arg: string }[], { op: string; arg: string }[]];
  const workdir = (steps: { op: string; arg: string }[]) => steps.find((s) => s.op === 'WORKDIR')!.arg;
  const buildRoot = join(image, 'build', workdir(build));
  const runRoot = join(image, 'run', workdir(runtime));
  mkdirSync(buildRoot, { recursive: true });
  mkdirSync(runRoot, { recursive: true });
  for (const s of build) {
    if (s.op === 'COPY') {
      const parts = s.arg.split(/\s+/);
      const dest = parts.pop()!;
      for (const src of parts) {
        assert.ok(existsSync(src), `COPY ${src}: in the repository`);
        cpSync(src, join(buildRoot, dest.endsWith('/') ? src : dest), { recursive: true });
      }
    } else if (s.op === 'RUN' && s.arg.startsWith('npm ci')) {
      // Stands in for npm ci (no registry from a test): the repository's node_modules, same lockfile.
      symlinkSync(join(ROOT, 'node_modules'), join(buildRoot, 'node_modules'));
    } else if (s.op === 'RUN' && /\btsc\b/.test(s.arg)) {
      const args = s.arg.replace(/^npx tsc/, '').trim().split(/\s+/);
      await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), ...args], { cwd: buildRoot, timeout: 150_000 });
    } else if (s.op === 'RUN' && /\bvite build\b/.test(s.arg)) {
      await run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: buildRoot, timeout: 150_000 });
    }
    // `npm prune --omit=dev` is left out: node_modules is the repository's own (a link).
  }
  const env: Record<string, string> = {};
  let cmd: string[] = [];
  for (const s of runtime) {
    if (s.op === 'COPY') {
      const from = /^--from=\w+\s+/.test(s.arg);
      const parts = s.arg.replace(/^--from=\w+\s+/, '').split(/\s+/);
      const dest = parts.pop()!;
      for (const src of parts) {
        const source = from ? join(image, 'build', src) : src;
        assert.ok(existsSync(source), `COPY ${s.arg}: ${source} exists`);
        const target = dest.endsWith('/') ? join(runRoot, dest, src.split('/').at(-1)!) : join(runRoot, dest);
        mkdirSync(dirname(target), { recursive: true });
        cpSync(source, target, { recursive: true, verbatimSymlinks: true });
      }
    } else if (s.op === 'ENV') {
      const [k, v] = s.arg.split('=');
      env[k!] = v!;
    } else if (s.op === 'CMD') {
      cmd = JSON.parse(s.arg) as string[];
    }
  }
  assert.deepEqual(cmd.slice(0, 1), ['node']);
  const expose = runtime.find((s) => s.op === 'EXPOSE')!.arg;
  for (const port of [`${env.RINGSIDE_HTTP_PORT}/tcp`, `${env.RINGSIDE_SIP_PORT}/udp`, `${env.RINGSIDE_SIP_PORT}/tcp`, `${env.RINGSIDE_RTP_PORTS}/udp`]) assert.ok(expose.split(/\s+/).includes(port), `EXPOSE ${port}`);
  const config = join(runRoot, env.RINGSIDE_CONFIG!.replace(workdir(runtime), ''));
  assert.ok(existsSync(config), `RINGSIDE_CONFIG ${env.RINGSIDE_CONFIG} is in the image`);
  const r = await startRingside(t, [], { command: { argv: [process.execPath, ...cmd.slice(1)], cwd: runRoot, env: { ...process.env, ...env, RINGSIDE_CONFIG: config, RINGSIDE_RTP_PORTS: '42000-42999', ...testOverrides(join(image, 'data')) } } });
  await healthy(r.httpPort);
  const page = await fetch(`http://127.0.0.1:${r.httpPort}/`, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200, 'the console is in the image (RUN npx vite build)');
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(await r.stop(/^STOPSIGNAL (\w+)$/m.exec(file)![1] as NodeJS.Signals), 0);
});
