/**
 * Runs baresip as a real SIP phone with no sound card: auto-answer, G.711 only, audio source a WAV file and
 * what it hears written to a WAV (aufile's player, `audio_player aufile,OUT.wav`, where the version has
 * one; the sndfile module's decoded-audio dump on baresip 1.0, which has none).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcm16Wav } from '../../../src/media/wav.js';

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

const MODULE_PATHS = ['/usr/lib/baresip/modules', '/usr/local/lib/baresip/modules', '/usr/lib/x86_64-linux-gnu/baresip/modules'];

export class Baresip {
  readonly dir: string;
  readonly sipPort: number;
  output = '';
  #child: ChildProcess;
  #exited: Promise<void>;

  private constructor(dir: string, sipPort: number, child: ChildProcess) {
    this.dir = dir;
    this.sipPort = sipPort;
    this.#child = child;
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-8000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-8000)));
    this.#exited = new Promise((resolve) => child.on('close', () => resolve()));
  }

  static async start(): Promise<Baresip> {
    const dir = await mkdtemp(join(tmpdir(), 'rs-baresip-'));
    const sipPort = await freeUdpPort();
    const modulePath = MODULE_PATHS.find((p) => existsSync(join(p, 'aufile.so'))) ?? MODULE_PATHS[0]!;
    // What baresip says into the call: 30 s of silence.
    await writeFile(join(dir, 'say.wav'), encodePcm16Wav(new Int16Array(8000 * 30), 8000));
    const rtpBase = 22000 + 2 * Math.floor(Math.random() * 3000);
    await writeFile(
      join(dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${sipPort}`,
        'call_max_calls 1',
        `audio_player aufile,${join(dir, 'heard.wav')}`,
        `audio_source aufile,${join(dir, 'say.wav')}`,
        `audio_alert aufile,${join(dir, 'alert.wav')}`,
        `rtp_ports ${rtpBase}-${rtpBase + 20}`,
        'rtcp_mux no',
        'jitter_buffer_delay 1-5',
        `module_path ${modulePath}`,
        'module g711.so',
        'module aufile.so',
        // baresip 1.0's aufile has no player side; sndfile dumps the decoded far-end audio instead.
        'module sndfile.so',
        `snd_path ${dir}`,
        'module_tmp account.so',
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'accounts'), '<sip:test@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA;ptime=20\n');
    const child = spawn('baresip', ['-f', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const b = new Baresip(dir, sipPort, child);
    // Ready when it listens (it prints its SIP address); give up after 5 s.
    const start = Date.now();
    while (!/Listening|sip:test@|All \d+ useragent/i.test(b.output) && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    return b;
  }

  /**
   * The WAV of what baresip heard: aufile's player output where the version has one (baresip ≥ 1.1),
   * otherwise sndfile's dump of the decoded far-end audio (`dump-*-dec.wav`).
   */
  get heardPath(): string {
    if (existsSync(join(this.dir, 'heard.wav'))) return join(this.dir, 'heard.wav');
    const dump = readdirSync(this.dir).find((f) => /^dump-.*-dec\.wav$/.test(f));
    if (!dump) throw new Error(`baresip wrote no audio file in ${this.dir}; its log: ${this.output.slice(-1500)}`);
    return join(this.dir, dump);
  }

  /** Terminates baresip (SIGTERM, then SIGKILL after 3 s) and removes its directory unless `keep`. */
  async stop(keep = false): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const t = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
      await this.#exited;
      clearTimeout(t);
    }
    if (!keep) await rm(this.dir, { recursive: true, force: true });
  }
}
