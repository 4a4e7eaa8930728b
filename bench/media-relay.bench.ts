/**
 * Relay capacity: N concurrent two-leg G.711 calls anchored through the media engine, each leg's phone
 * sending 50 packets/s, for a bounded time per step. The phones live in a second process (the load
 * generator) over loopback, so their CPU is not counted against the relay.
 *
 * Modes: `main` (MediaEngine on the main event loop, pass-through), `main-transcode` (leg B negotiates
 * PCMA: every packet is transcoded), `worker` (MediaEngineClient: the engine in a worker thread; the main
 * thread only measures). For each step: relayed packets/s, relay process CPU, CPU per call, loss, and the main
 * thread's event-loop delay p99 (what SIP timers and the API would feel).
 *
 *   node --import tsx bench/media-relay.bench.ts [--seconds 5] [--steps 50,100,200] [--modes main,worker]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import { MediaEngine } from '../src/media/media-engine.js';
import { MediaEngineClient } from '../src/media/media-engine-client.js';
import { serializeRtpPacket } from '../src/media/rtp-packet.js';

const FILE = fileURLToPath(import.meta.url);
type Pair = [number, number];

function offer(port: number, codec: 'PCMU' | 'PCMA'): string {
  const pt = codec === 'PCMU' ? 0 : 8;
  return `v=0\r\no=g 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP ${pt}\r\na=ptime:20\r\n`;
}

// ---- relay host (main thread or worker) -----------------------------------------------------------

/** Sets up the calls on an engine in this thread (`main`) or in its worker (`worker`, MediaEngineClient). */
class RelayHost {
  engine: MediaEngine | MediaEngineClient;
  dir = mkdtempSync(join(tmpdir(), 'rs-bench-'));
  readonly options = { rtpPorts: '30000-59999', bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir: this.dir, rtcpIntervalMs: 5000 };
  constructor(inWorker: boolean) {
    this.engine = inWorker ? (null as unknown as MediaEngineClient) : new MediaEngine(this.options);
  }
  async startWorker(): Promise<void> {
    this.engine = await MediaEngineClient.start({ ...this.options, logLevel: 'silent' });
  }
  async setup(phones: Pair[], transcode: boolean): Promise<Pair[]> {
    const out: Pair[] = [];
    for (const [pa, pb] of phones) {
      const a = await this.engine.allocateEndpoint('a');
      const b = await this.engine.allocateEndpoint('b');
      await this.engine.createAnswer(a.endpointId, offer(pa, 'PCMU'));
      await this.engine.createAnswer(b.endpointId, offer(pb, transcode ? 'PCMA' : 'PCMU'));
      await this.engine.connect(a.endpointId, b.endpointId);
      out.push([a.port, b.port]);
    }
    return out;
  }
  async close(): Promise<void> {
    await this.engine.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- load generator (child process) ---------------------------------------------------------------

interface GenResult {
  sent: number;
  received: number;
  cpuMs: number;
}

if (process.argv[2] === 'generator') {
  process.on('disconnect', () => process.exit(0)); // never outlive the benchmark
  let sockets: Socket[] = [];
  const received: number[] = [];
  process.on('message', async (m: { cmd: string; calls?: number; targets?: Pair[]; seconds?: number; ptB?: number }) => {
    if (m.cmd === 'open') {
      const pairs: Pair[] = [];
      for (let i = 0; i < m.calls!; i++) {
        const pair: number[] = [];
        for (let k = 0; k < 2; k++) {
          const s = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
          await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
          const idx = sockets.length;
          received[idx] = 0;
          // Count RTP only: the engine's RTCP goes to port + 1, which here may be another phone's socket.
          s.on('message', (msg: Buffer) => {
            const pt = msg[1]! & 0x7f;
            if (pt < 72 || pt > 76) received[idx]!++;
          });
          sockets.push(s);
          pair.push(s.address().port);
        }
        pairs.push(pair as Pair);
      }
      process.send!({ pairs });
    } else if (m.cmd === 'run') {
      const targets = m.targets!.flat();
      const payload = new Uint8Array(160).fill(0xff);
      const frames = m.seconds! * 50;
      const seq = sockets.map(() => Math.floor(Math.random() * 65536));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let sent = 0;
      for (let f = 0; f < frames; f++) {
        const wait = t0 + f * 20 - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        for (let i = 0; i < sockets.length; i++) {
          // Even sockets are the A phones (PCMU); odd ones the B phones (PCMA when transcoding).
          const buf = serializeRtpPacket({ payloadType: i % 2 === 0 ? 0 : (m.ptB ?? 0), sequenceNumber: seq[i]! + f, timestamp: f * 160, ssrc: i + 1 }, payload);
          sockets[i]!.send(buf, targets[i]!, '127.0.0.1');
          sent++;
        }
      }
      await new Promise((r) => setTimeout(r, 400)); // let packets in flight arrive
      const cpu = process.cpuUsage(cpu0);
      const res: GenResult = { sent, received: received.reduce((a, b) => a + b, 0), cpuMs: (cpu.user + cpu.system) / 1000 };
      process.send!(res);
    } else if (m.cmd === 'close') {
      for (const s of sockets) s.close();
      sockets = [];
      received.length = 0;
      process.send!({ closed: true });
    } else if (m.cmd === 'exit') process.exit(0);
  });
}

// ---- orchestration -------------------------------------------------------------------------------

function ask<T>(target: ChildProcess, msg: unknown): Promise<T> {
  return new Promise((resolve) => {
    target.once('message', (m: T) => resolve(m));
    target.send(msg as object);
  });
}

interface Row {
  mode: string;
  calls: number;
  relayedPps: number;
  cpuPct: number;
  usPerPacket: number;
  cpuPerCallPct: number;
  lossPct: number;
  loopP99: number;
  genCpuPct: number;
}

async function step(gen: ChildProcess, mode: string, calls: number, seconds: number): Promise<Row> {
  const { pairs } = await ask<{ pairs: Pair[] }>(gen, { cmd: 'open', calls });
  const transcode = mode === 'main-transcode';
  const host = new RelayHost(mode === 'worker');
  if (mode === 'worker') await host.startWorker();
  const ports = await host.setup(pairs, transcode);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const res = await ask<GenResult>(gen, { cmd: 'run', targets: ports, seconds, ptB: transcode ? 8 : 0 });
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  await host.close();
  await ask(gen, { cmd: 'close' });
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const relayed = res.received; // every packet a phone receives was relayed by the engine
  return {
    mode,
    calls,
    relayedPps: Math.round(relayed / seconds),
    // CPU over the sending time (the 0.4 s drain is nearly idle): errs on the high side.
    cpuPct: (100 * cpuMs) / (seconds * 1000),
    usPerPacket: (cpuMs * 1000) / Math.max(1, relayed),
    cpuPerCallPct: (100 * cpuMs) / (seconds * 1000) / calls,
    lossPct: (100 * (res.sent - res.received)) / res.sent,
    loopP99: loop.percentile(99) / 1e6,
    genCpuPct: (100 * res.cpuMs) / (seconds * 1000),
  };
}

async function main(): Promise<void> {
  const arg = (name: string, def: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : def;
  };
  const seconds = Number(arg('seconds', '5'));
  const steps = arg('steps', '25,50,100,200,300,400,600').split(',').map(Number);
  const modes = arg('modes', 'main,main-transcode,worker').split(',');
  const gen = fork(FILE, ['generator'], { execArgv: ['--import', 'tsx'] });
  const rows: Row[] = [];
  try {
    for (const mode of modes) {
      for (const calls of steps) {
        const r = await step(gen, mode, calls, seconds);
        rows.push(r);
        process.stderr.write(`${mode} ${calls} calls: loss ${r.lossPct.toFixed(3)} %, cpu ${r.cpuPct.toFixed(0)} %\n`);
        if (r.lossPct >= 1 || r.cpuPct > 150) break; // far past the limit: stop climbing
      }
    }
  } finally {
    gen.send({ cmd: 'exit' });
  }
  console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${seconds} s per step; load generator in a second process\n`);
  console.log('| mode | calls | relayed pkt/s | relay CPU (% of one core) | CPU µs / relayed pkt | CPU per call (%) | loss (%) | main loop delay p99 (ms) | generator CPU (%) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.mode} | ${r.calls} | ${r.relayedPps} | ${r.cpuPct.toFixed(1)} | ${r.usPerPacket.toFixed(1)} | ${r.cpuPerCallPct.toFixed(3)} | ${r.lossPct.toFixed(3)} | ${r.loopP99.toFixed(1)} | ${r.genCpuPct.toFixed(0)} |`);
  }
  for (const mode of modes) {
    const ok = rows.filter((r) => r.mode === mode && r.lossPct < 0.1);
    const best = ok.at(-1);
    console.log(`\n${mode}: highest step with < 0.1 % loss: ${best ? `${best.calls} calls` : 'none'}`);
  }
}

if (isMainThread && process.argv[2] !== 'generator') {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
