/**
 * A minimal pcap reader for test fixtures: classic libpcap files (µs or ns timestamps, either byte order),
 * Ethernet / Linux cooked / raw IP / BSD loopback link types, IPv4 UDP datagrams only.
 */
import { readFileSync } from 'node:fs';

export interface UdpDatagram {
  timeMs: number;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

export function readPcapUdp(path: string): UdpDatagram[] {
  const b = readFileSync(path);
  const magic = b.readUInt32LE(0);
  let le: boolean;
  let nano = false;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else throw new Error(`${path}: not a pcap file`);
  if (magic === 0xa1b23c4d || magic === 0x4d3cb2a1) nano = true;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = u32(20);
  const out: UdpDatagram[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const sec = u32(o);
    const frac = u32(o + 4);
    const incl = u32(o + 8);
    const frame = b.subarray(o + 16, o + 16 + incl);
    o += 16 + incl;
    let ip: number;
    if (linkType === 1) {
      let eth = 12;
      let type = frame.readUInt16BE(eth);
      while (type === 0x8100) {
        eth += 4;
        type = frame.readUInt16BE(eth);
      }
      if (type !== 0x0800) continue;
      ip = eth + 2;
    } else if (linkType === 113) {
      if (frame.readUInt16BE(14) !== 0x0800) continue;
      ip = 16;
    } else if (linkType === 0) ip = 4;
    else if (linkType === 101 || linkType === 228) ip = 0;
    else throw new Error(`${path}: unsupported link type ${linkType}`);
    if (frame[ip]! >> 4 !== 4 || frame[ip + 9] !== 17) continue;
    const ihl = (frame[ip]! & 0x0f) * 4;
    const udp = ip + ihl;
    const len = frame.readUInt16BE(udp + 4);
    out.push({
      timeMs: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3),
      srcPort: frame.readUInt16BE(udp),
      dstPort: frame.readUInt16BE(udp + 2),
      payload: Buffer.from(frame.subarray(udp + 8, udp + len)),
    });
  }
  return out;
}
