/**
 * Media: the parsers in process, and the live RTP ports of Ringside under test.
 *
 * - In process (`MediaParserTarget`): mutated and random SDP through parseRemoteSdp/createAnswer/applyAnswer
 *   (only SdpError and CodecMismatchError may come out: the switch maps those to 488), mutated and random
 *   datagrams through parseRtpPacket, parseRtcpCompound, parseTelephoneEvent and a DtmfDetector (they return
 *   null or skip; they never throw). Run in 10 ms slices, a third of a core, so the network targets and Ringside keep theirs.
 * - Live (`RtpSprayTarget`): mutated RTP (PCMU/PCMA, telephone-event), RTCP compounds and noise sent to the
 *   campaign's RTP port range, from the phone's address and the carrier's, while the campaign's calls hold
 *   ports open; nothing answers, so only the sends are counted: the rules are the process's (alive, no
 *   error logged) and the calls' (still answered).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Prng } from './prng.js';
import { TargetStats, sleep, type FuzzTarget } from './target.js';
import { SIP_MUTATIONS } from './sip-mutator.js';
import { applyAnswer, createAnswer, createOffer, parseRemoteSdp, type LocalMedia } from '../../../src/media/sdp-negotiator.js';
import { CodecMismatchError, SdpError } from '../../../src/media/errors.js';
import { parseRtpPacket, serializeRtpPacket } from '../../../src/media/rtp-packet.js';
import { buildRtcpReport, parseRtcpCompound } from '../../../src/media/rtcp-packet.js';
import { DtmfDetector, dtmfEventPackets, parseTelephoneEvent } from '../../../src/media/dtmf-rfc4733.js';

const LOCAL: LocalMedia = { address: '127.0.0.1', port: 40000, sessionId: '1', sessionVersion: 1 };
const OFFERS = [
  createOffer(LOCAL),
  'v=0\r\no=carrier 53655765 2353687637 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n',
  'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\nc=IN IP4 192.0.2.1\r\na=rtpmap:96 H264/90000\r\nm=audio 5002 RTP/AVP 0 8\r\nc=IN IP4 192.0.2.1\r\na=sendonly\r\na=rtcp:5005\r\na=ptime:30\r\n',
  'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 5002 RTP/AVP 0\r\n',
];

/** A message whose body is `sdp`, so the SIP mutations (sdpDamage, CRLF games, unicode…) apply to it. */
function asMessage(sdp: string): Buffer {
  return Buffer.from(`X\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`, 'latin1');
}

function mutatedSdp(r: Prng): string {
  if (r.chance(0.1)) return r.bytes(r.int(500)).toString('latin1');
  let msg = asMessage(r.pick(OFFERS));
  const names = ['sdpDamage', 'sdpDamage', 'sdpDamage', 'byteFlip', 'truncate', 'crlfGames', 'unicode', 'nastyToken', 'badNumber', 'hugeValue'];
  for (let i = 0, n = 1 + r.int(4); i < n; i++) msg = SIP_MUTATIONS[r.pick(names)]!(msg, r);
  const text = msg.toString('latin1');
  const sep = text.indexOf('\r\n\r\n');
  return sep < 0 ? text : text.slice(sep + 4);
}

function validRtp(r: Prng): Buffer {
  const k = r.int(4);
  if (k === 0) return serializeRtpPacket({ payloadType: 101, sequenceNumber: r.int(65536), timestamp: r.int(2 ** 32), ssrc: r.int(2 ** 32), marker: r.chance(0.3) }, dtmfEventPackets(r.pick(['1', '5', '#', '*', 'A']))[0]!.payload);
  if (k === 1) return buildRtcpReport({ ssrc: r.int(2 ** 32), cname: 'fuzz', reports: [{ ssrc: r.int(2 ** 32), fractionLost: r.int(256), cumulativeLost: r.int(1000), highestSequence: r.int(2 ** 32), jitter: r.int(1000), lastSr: 0, delaySinceLastSr: 0 }] });
  return serializeRtpPacket({ payloadType: r.pick([0, 8, 0, 13, 96, 127]), sequenceNumber: r.int(65536), timestamp: r.int(2 ** 32), ssrc: r.int(2 ** 32) }, r.bytes(r.pick([0, 1, 160, 160, 320, 1400])));
}

/** An RTP-ish datagram: valid, then damaged in the header bits the parsers read (version, CC, X, P, lengths). */
function mutatedRtp(r: Prng): Buffer {
  if (r.chance(0.1)) return r.bytes(r.int(1500));
  const b = validRtp(r);
  for (let i = 0, n = r.int(4); i < n; i++) {
    const k = r.int(6);
    if (k === 0 && b.length) b[0] = (b[0]! & 0xc0) | r.int(64); // CC, X, P
    else if (k === 1 && b.length > 1) b[1] = r.int(256); // marker + PT (RTCP types 200-204 included)
    else if (k === 2 && b.length > 3) b.writeUInt16BE(r.int(65536), 2); // RTCP length / sequence
    else if (k === 3 && b.length) b[b.length - 1] = r.int(256); // padding count
    else if (k === 4) return b.subarray(0, r.int(b.length + 1));
    else if (b.length) b[r.int(b.length)] = r.int(256);
  }
  return b;
}

export class MediaParserTarget implements FuzzTarget {
  readonly stats = new TargetStats('sdp-rtp-parsers');

  constructor(readonly r: Prng) {}

  async run(deadline: () => number): Promise<void> {
    const r = this.r;
    const detector = new DtmfDetector(() => this.stats.count('digit'), { endTimeoutMs: 50 });
    while (Date.now() < deadline()) {
      // A third of one core: the network targets and Ringside share the machine.
      const slice = Date.now() + 10;
      while (Date.now() < slice) {
        const index = this.stats.sent++;
        if (r.chance(0.5)) this.#sdp(r, index);
        else this.#rtp(r, index, detector);
      }
      await sleep(20);
    }
  }

  #sdp(r: Prng, index: number): void {
    const sdp = mutatedSdp(r);
    const fn = r.int(3);
    try {
      if (fn === 0) parseRemoteSdp(sdp);
      else if (fn === 1) createAnswer(sdp, LOCAL);
      else applyAnswer(sdp, LOCAL);
      this.stats.count('sdp-ok');
    } catch (err) {
      if (err instanceof SdpError || err instanceof CodecMismatchError) this.stats.count('sdp-refused');
      else this.stats.find('exception', `${['parseRemoteSdp', 'createAnswer', 'applyAnswer'][fn]}: ${(err as Error).name}: ${(err as Error).message}`, sdp, index);
    }
  }

  #rtp(r: Prng, index: number, detector: DtmfDetector): void {
    const d = mutatedRtp(r);
    try {
      const p = parseRtpPacket(d);
      this.stats.count(p ? 'rtp-ok' : 'rtp-refused');
      if (p) {
        parseTelephoneEvent(p.payload);
        if (p.payloadType === 101) detector.feed(p);
      }
      this.stats.count(`rtcp-${parseRtcpCompound(d).length}`);
    } catch (err) {
      this.stats.find('exception', `rtp/rtcp parser: ${(err as Error).name}: ${(err as Error).message}`, d.toString('hex'), index);
    }
  }
}

export interface RtpSprayOptions {
  host: string;
  ports: { min: number; max: number };
  from: string[];
  r: Prng;
  rate: number;
}

export class RtpSprayTarget implements FuzzTarget {
  readonly stats = new TargetStats('rtp-live');

  constructor(readonly o: RtpSprayOptions) {}

  async run(deadline: () => number): Promise<void> {
    const sockets: Socket[] = [];
    for (const host of this.o.from) {
      const s = createSocket('udp4');
      s.on('error', () => this.stats.count('socket-error'));
      s.on('message', () => this.stats.count('answered'));
      await new Promise<void>((res) => s.bind(0, host, () => res()));
      sockets.push(s);
    }
    const { r, ports } = this.o;
    const gap = 1000 / this.o.rate;
    try {
      while (Date.now() < deadline()) {
        // Even ports are RTP, the odd one above each is its RTCP (RFC 3550 11).
        const port = ports.min + r.int(ports.max - ports.min + 1);
        const burst = r.pick([1, 1, 5, 50]);
        for (let i = 0; i < burst; i++) {
          this.stats.sent++;
          r.pick(sockets).send(mutatedRtp(r), port, this.o.host);
        }
        this.stats.count('sent', burst);
        await sleep(gap * burst);
      }
    } finally {
      for (const s of sockets) s.close();
    }
  }
}
