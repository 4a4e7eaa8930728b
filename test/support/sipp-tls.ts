import { spawnSync } from 'node:child_process';

/**
 * A sipp built with OpenSSL, for `-t l1`: $RINGSIDE_SIPP_TLS, else `sipp-tls` (scripts/build-sipp-tls.sh,
 * run by .ci/run), else `sipp` when it is a TLS build. Debian's sip-tester is not.
 */
export function sippWithTls(): string | undefined {
  for (const bin of [process.env.RINGSIDE_SIPP_TLS, 'sipp-tls', 'sipp']) {
    if (!bin) continue;
    const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
    if (r.error === undefined && /TLS/.test(`${r.stdout}${r.stderr}`)) return bin;
  }
  return undefined;
}

/** A skip message for node:test when no TLS sipp is installed (CI builds one, so nothing skips there). */
export function missingSippTls(): string | false {
  if (sippWithTls()) return false;
  const msg = "SKIPPED: no sipp with TLS ('sipp-tls'): run scripts/build-sipp-tls.sh; CI runs it";
  process.stderr.write(`\n*** ${msg} ***\n`);
  return msg;
}
