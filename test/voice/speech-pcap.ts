/**
 * Speech as a pcap that sipp's `play_pcap_audio` streams into a call: G.711 RTP, 20 ms a packet, in a
 * classic libpcap file (Ethernet / IPv4 / UDP; sipp rewrites the addresses and ports as it sends). So the
 * carrier's caller really speaks a known sentence, as a person on the phone would.
 */
import { writeFileSync } from 'node:fs';
import { encodeG711, type G711Law } from '../../src/media/g711.js';

const SAMPLES_PER_PACKET = 160;

/** Writes `samples` (8 kHz mono) as RTP in `law` (PT 8 PCMA, PT 0 PCMU) to a pcap at `path`. */
export function writeSpeechPcap(path: string, samples: Int16Array, law: G711Law): void {
  const pt = law === 'PCMA' ? 8 : 0;
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const parts = [header];
  const ssrc = 0x5eec4001;
  for (let seq = 0, off = 0; off < samples.length; seq++, off += SAMPLES_PER_PACKET) {
    const chunk = new Int16Array(SAMPLES_PER_PACKET);
    chunk.set(samples.subarray(off, off + SAMPLES_PER_PACKET));
    const rtp = Buffer.alloc(12 + SAMPLES_PER_PACKET);
    rtp[0] = 0x80;
    rtp[1] = pt | (seq === 0 ? 0x80 : 0);
    rtp.writeUInt16BE(seq & 0xffff, 2);
    rtp.writeUInt32BE(off >>> 0, 4);
    rtp.writeUInt32BE(ssrc, 8);
    Buffer.from(encodeG711(law, chunk)).copy(rtp, 12);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(6000, 0);
    udp.writeUInt16BE(6002, 2);
    udp.writeUInt16BE(8 + rtp.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + rtp.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, rtp]);
    const rec = Buffer.alloc(16);
    const us = seq * 20_000;
    rec.writeUInt32LE(Math.floor(us / 1e6), 0);
    rec.writeUInt32LE(us % 1e6, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  }
  writeFileSync(path, Buffer.concat(parts));
}
