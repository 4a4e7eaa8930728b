/**
 * baresip 1.0 as a user's registered phone in the switch's end-to-end tests, and the carrier's media end
 * as a UDP socket the test owns.
 *
 * The phone: one baresip process with its own config dir, registering (digest MD5) to Ringside from a fixed
 * `sip_listen` port (the registrar sends calls to that source address, RFC 3581), auto-answering, speaking a
 * tone from a WAV (aufile) and dumping what it hears (sndfile's decoded-audio dump; baresip 1.0's aufile has
 * no player side). It is driven and watched through the ctrl_tcp module: netstring-framed JSON commands
 * (`dial`, `hangup`: the menu module's) and the UA events (REGISTER_OK, CALL_ESTABLISHED, CALL_CLOSED…).
 * `-s` prints every SIP message it sends and receives, so a failing test shows the SIP exchange.
 *
 * The carrier's media (`carrierMedia`): the carrier's SDP names a port on 127.0.0.2 that this socket holds.
 * It decodes what Ringside relays to it and answers every packet from where it came (symmetric RTP, so
 * Ringside latches on the same address) with a tone of its own in the same payload type.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Socket as TcpSocket } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcm16Wav, mixToMono, parseWav, wavSamples } from '../../../src/media/wav.js';
import { decodeG711, encodeG711, type G711Law } from '../../../src/media/g711.js';
import { parseRtpPacket, serializeRtpPacket } from '../../../src/media/rtp-packet.js';
import { sine } from '../../media/support/audio-analysis.js';

type T = { after(fn: () => unknown): void };

const MODULE_PATHS = ['/usr/lib/baresip/modules', '/usr/local/lib/baresip/modules', '/usr/lib/x86_64-linux-gnu/baresip/modules'];
/** Kept of baresip's output (its SIP trace included) for assertions and failure messages. */
const OUTPUT_LIMIT = 4_000_000;

export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** Polls `pred` every 50 ms until it holds; fails with `what` and `detail()` after `timeoutMs`. */
export async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${detail()}`);
    await sleep(50);
  }
}

export interface BaresipPhoneOptions {
  /** Ringside's SIP address, host:port. */
  registrar: string;
  username: string;
  password: string;
  /** The tone the phone says into every call (Hz), from a 60 s WAV. */
  toneHz: number;
  /** How it registers (and so is called back): UDP (default), or TLS to `registrar`, then Ringside's TLS
   *  port (RFC 3261 §26.2.1; the account's `;transport=tls`). */
  transport?: 'udp' | 'tls';
  /** TLS: the CA file it trusts (`sip_cafile`; baresip 1.0 has no switch to verify the server with it). */
  caFile?: string;
  /** TLS: certificate and private key in one PEM (`sip_certificate`), presented on its TLS listening port
   *  when Ringside dials it there (after its registering connection closed). */
  certificateFile?: string;
}

/** A ctrl_tcp frame: a UA event (`event: true`) or the response to a command (`response: true`). */
export type CtrlFrame = Record<string, unknown>;

export class BaresipPhone {
  output = '';
  readonly events: CtrlFrame[] = [];
  readonly #responses: CtrlFrame[] = [];
  #ctrl?: TcpSocket;
  #token = 0;
  readonly #exited: Promise<void>;

  private constructor(
    readonly dir: string,
    readonly sipPort: number,
    readonly ctrlPort: number,
    readonly child: ChildProcess,
  ) {
    const keep = (d: Buffer) => {
      this.output += d.toString();
      if (this.output.length > OUTPUT_LIMIT) this.output = this.output.slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
  }

  /**
   * Starts baresip registering as `username`; killed and its directory removed in `t.after`. baresip binds
   * UDP and TCP on its SIP port and TLS on the port above it, so the pair comes from below the kernel's
   * ephemeral range (where another process may take the second port meanwhile) and a start that still
   * loses a bind race ("Address already in use") is retried on new ports.
   */
  static async start(t: T, o: BaresipPhoneOptions): Promise<BaresipPhone> {
    for (let attempt = 1; ; attempt++) {
      const phone = BaresipPhone.#spawn(o, await freePortPair(), await freePortPair());
      try {
        await phone.#connectCtrl();
      } catch (err) {
        await phone.#discard();
        if (attempt < 4 && /Address already in use/.test(phone.output)) continue;
        throw err;
      }
      // The ctrl port may have been taken by another process between choosing it and baresip binding it:
      // then the socket above reached that process, and no event would ever come. Only baresip answers this.
      try {
        await phone.command('reginfo');
      } catch (err) {
        await phone.#discard();
        if (attempt < 4) continue;
        throw err;
      }
      t.after(() => phone.#discard());
      return phone;
    }
  }

  static #spawn(o: BaresipPhoneOptions, sipPort: number, ctrlPort: number): BaresipPhone {
    const dir = mkdtempSync(join(tmpdir(), 'ringside-baresip-phone-'));
    const modulePath = MODULE_PATHS.find((p) => existsSync(join(p, 'ctrl_tcp.so'))) ?? MODULE_PATHS[0]!;
    writeFileSync(join(dir, 'say.wav'), encodePcm16Wav(sine(o.toneHz, 60_000, 6000), 8000));
    // RTP below Ringside's ranges (test/support/in-process.ts: 20000–59999) and the ephemeral ports.
    const rtpBase = 10_000 + 2 * Math.floor(Math.random() * 4900);
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${sipPort}`,
        // SDP and Contact on loopback, not the machine's first interface.
        'net_interface 127.0.0.1',
        'call_max_calls 1',
        `audio_source aufile,${join(dir, 'say.wav')}`,
        `audio_alert aufile,${join(dir, 'say.wav')}`,
        `rtp_ports ${rtpBase}-${rtpBase + 20}`,
        'rtcp_mux no',
        'jitter_buffer_delay 1-5',
        `module_path ${modulePath}`,
        'module g711.so',
        'module aufile.so',
        'module sndfile.so',
        `snd_path ${dir}`,
        'module ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        'module_app account.so',
        'module_app menu.so',
        ...(o.caFile ? [`sip_cafile ${o.caFile}`] : []),
        ...(o.certificateFile ? [`sip_certificate ${o.certificateFile}`] : []),
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:${o.username}@${o.registrar};transport=${o.transport ?? 'udp'}>;auth_pass=${o.password};regint=300;answermode=auto;audio_codecs=PCMU,PCMA;ptime=20\n`,
    );
    const child = spawn('baresip', ['-f', dir, '-s'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    return new BaresipPhone(dir, sipPort, ctrlPort, child);
  }

  async #discard(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #connectCtrl(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        this.#ctrl = await new Promise<TcpSocket>((resolve, reject) => {
          const s = connect(this.ctrlPort, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        });
        break;
      } catch (err) {
        if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`baresip's ctrl_tcp never listened: ${(err as Error).message}\n${this.output.slice(-3000)}`);
        await sleep(100);
      }
    }
    let buf = Buffer.alloc(0);
    this.#ctrl.on('error', () => undefined);
    this.#ctrl.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      // Netstrings: `<length>:<bytes>,`.
      for (;;) {
        const colon = buf.indexOf(0x3a);
        if (colon < 0) return;
        const len = Number(buf.subarray(0, colon).toString());
        if (buf.length < colon + 1 + len + 1) return;
        const frame = JSON.parse(buf.subarray(colon + 1, colon + 1 + len).toString()) as CtrlFrame;
        buf = buf.subarray(colon + 1 + len + 1);
        (frame.event === true ? this.events : this.#responses).push(frame);
      }
    });
  }

  /** Runs a command (the menu module's, e.g. `dial`, `hangup`) and returns its response. */
  async command(command: string, params = ''): Promise<CtrlFrame> {
    const token = `t${++this.#token}`;
    const json = JSON.stringify({ command, params, token });
    this.#ctrl!.write(`${Buffer.byteLength(json)}:${json},`);
    let res: CtrlFrame | undefined;
    await waitFor(() => (res = this.#responses.find((r) => r.token === token)) !== undefined, 5000, `baresip's answer to ${command}`, () => this.output.slice(-3000));
    return res!;
  }

  /** The UA event types seen so far, in order (`REGISTER_OK`, `CALL_INCOMING`, …). */
  get eventTypes(): string[] {
    return this.events.map((e) => String(e.type));
  }

  async waitEvent(type: string, timeoutMs: number): Promise<CtrlFrame> {
    let ev: CtrlFrame | undefined;
    await waitFor(() => (ev = this.events.find((e) => e.type === type)) !== undefined, timeoutMs, `baresip event ${type}`, () => `events ${JSON.stringify(this.events)}\n${this.output.slice(-4000)}`);
    return ev!;
  }

  /** The SIP messages baresip sent and received (its `-s` trace), first lines only. */
  get sipStartLines(): string[] {
    return [...this.output.matchAll(/^(?:(?:INVITE|ACK|BYE|CANCEL|REGISTER|OPTIONS|MESSAGE) sip:\S+ SIP\/2\.0|SIP\/2\.0 \d{3}[^\r\n]*)/gm)].map((m) => m[0]);
  }

  /**
   * What baresip heard in its (last) call, decoded: sndfile's dump of the far end's audio, complete once
   * the call closed.
   */
  heard(): Int16Array {
    const dump = readdirSync(this.dir).filter((f) => /^dump-.*-dec\.wav$/.test(f)).sort().at(-1);
    if (!dump) throw new Error(`baresip wrote no decoded-audio dump in ${this.dir}; its log: ${this.output.slice(-2000)}`);
    const w = parseWav(readFileSync(join(this.dir, dump)));
    return mixToMono(wavSamples(w), w.channels);
  }

  /** Quits (SIGTERM: baresip unregisters first), SIGKILL after 5 s. Safe to call twice. */
  async stop(): Promise<void> {
    this.#ctrl?.destroy();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.#exited;
      clearTimeout(timer);
    }
  }
}

/** Whether `port` binds on loopback for UDP and for TCP right now. */
async function bindable(port: number): Promise<boolean> {
  const udp = createSocket('udp4');
  const udpOk = await new Promise<boolean>((r) => {
    udp.once('error', () => r(false));
    udp.bind(port, '127.0.0.1', () => r(true));
  });
  udp.close();
  if (!udpOk) return false;
  const tcp = createServer();
  const tcpOk = await new Promise<boolean>((r) => {
    tcp.once('error', () => r(false));
    tcp.listen(port, '127.0.0.1', () => r(true));
  });
  if (tcpOk) await new Promise<void>((r) => tcp.close(() => r()));
  return tcpOk;
}

/** A port P in 5100–9899 (below the ephemeral range and baresip's RTP) with P and P + 1 free. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = 5100 + 2 * Math.floor(Math.random() * 2400);
    if ((await bindable(port)) && (await bindable(port + 1))) return port;
  }
}

export interface CarrierMedia {
  port: number;
  /** Packets received, their payload types, and the audio they carried (decoded). */
  packets: () => number;
  payloadTypes: Set<number>;
  heard: () => Int16Array;
  /** Where Ringside sent from (its media endpoint for the carrier's leg). */
  sources: Set<string>;
}

const LAW: Record<number, G711Law> = { 0: 'PCMU', 8: 'PCMA' };

/** The carrier's media end on `host` (127.0.0.2): decodes what arrives, answers each packet with `toneHz`
 *  (to `replyTo` when given, else to the packet's source). */
export async function carrierMedia(t: T, host: string, toneHz: number, replyTo?: string): Promise<CarrierMedia> {
  const sock: UdpSocket = createSocket('udp4');
  const heard: Int16Array[] = [];
  const payloadTypes = new Set<number>();
  const sources = new Set<string>();
  const tone = sine(toneHz, 1000, 6000);
  const ssrc = Math.floor(Math.random() * 0xffffffff);
  let n = 0;
  let sent = 0;
  sock.on('message', (m, from) => {
    const p = parseRtpPacket(m);
    if (!p) return; // RTCP
    n++;
    payloadTypes.add(p.payloadType);
    sources.add(`${from.address}:${from.port}`);
    const law = LAW[p.payloadType];
    if (!law) return;
    heard.push(decodeG711(law, p.payload));
    const frame = tone.subarray((sent * 160) % 8000, ((sent * 160) % 8000) + 160);
    const out = serializeRtpPacket({ payloadType: p.payloadType, marker: sent === 0, sequenceNumber: sent, timestamp: sent * 160, ssrc }, encodeG711(law, frame));
    sent++;
    // Symmetric RTP (RFC 4961): back to the port it came from, on `replyTo` when the test names the
    // address Ringside advertised (its packets leave from whichever address the kernel picks).
    sock.send(out, from.port, replyTo ?? from.address);
  });
  const port = await new Promise<number>((r) => sock.bind(0, host, () => r(sock.address().port)));
  t.after(() => sock.close());
  return {
    port,
    packets: () => n,
    payloadTypes,
    sources,
    heard: () => {
      const all = new Int16Array(heard.reduce((s, x) => s + x.length, 0));
      let o = 0;
      for (const x of heard) {
        all.set(x, o);
        o += x.length;
      }
      return all;
    },
  };
}
