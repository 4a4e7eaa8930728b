/**
 * SIP parser/serializer throughput: messages parsed, serialized, and round-tripped per second on one core.
 * Run: node --import tsx bench/sip-parser.bench.ts
 */
import { cpus } from 'node:os';
import { parseMessage } from '../src/sip/message/parser.js';
import { serializeMessage } from '../src/sip/message/serializer.js';

const SDP = 'v=0\r\no=- 20518 0 IN IP4 203.0.113.1\r\ns=-\r\nc=IN IP4 203.0.113.1\r\nt=0 0\r\nm=audio 54400 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n';
const MESSAGES: Record<string, string> = {
  'INVITE with SDP': `INVITE sip:+15551234567@ringside.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bK776asdhds;rport\r\nVia: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKnashds8;received=10.1.1.1\r\nMax-Forwards: 69\r\nTo: <sip:+15551234567@ringside.example.com>\r\nFrom: "Alice Example" <sip:+15557654321@carrier.example.net>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.carrier.example.net\r\nCSeq: 314159 INVITE\r\nContact: <sip:+15557654321@203.0.113.1:5060>\r\nRecord-Route: <sip:203.0.113.1;lr>\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\nSupported: replaces, timer\r\nUser-Agent: Carrier SBC 1.0\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`,
  'REGISTER with Authorization': `REGISTER sip:ringside.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bKPjx1\r\nMax-Forwards: 70\r\nFrom: <sip:alice@ringside.example.com>;tag=abc123\r\nTo: <sip:alice@ringside.example.com>\r\nCall-ID: 8d1c2a8f-7c7e@192.0.2.10\r\nCSeq: 2 REGISTER\r\nContact: <sip:alice@192.0.2.10:5060;ob>;expires=600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"\r\nAuthorization: Digest username="alice", realm="ringside.example.com", nonce="18f3c2a1b.4f2e9d7c5b3a1908.Qm9vZ2llV29vZ2llMTIz", uri="sip:ringside.example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n`,
  '200 OK (OPTIONS)': `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;rport=5070;received=127.0.0.1\r\nFrom: <sip:ringside@127.0.0.1>;tag=88sja8x\r\nTo: <sip:b@127.0.0.1>;tag=93810874\r\nCall-ID: 1j9FpLxk3uxtm8tn@127.0.0.1\r\nCSeq: 63104 OPTIONS\r\nAllow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n`,
};

function rate(fn: () => void, ms = 1500): number {
  for (let i = 0; i < 2000; i++) fn(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}\n`);
console.log('| message | bytes | parse / s | serialize / s | parse + serialize / s |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, text] of Object.entries(MESSAGES)) {
  const buf = Buffer.from(text);
  const parsed = parseMessage(buf);
  const p = rate(() => parseMessage(buf));
  const s = rate(() => serializeMessage(parsed));
  const ps = rate(() => serializeMessage(parseMessage(buf)));
  console.log(`| ${name} | ${buf.length} | ${fmt(p)} | ${fmt(s)} | ${fmt(ps)} |`);
}
