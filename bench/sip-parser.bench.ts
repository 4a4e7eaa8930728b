/**
 * SIP parser/serializer throughput: messages parsed, serialized, and round-tripped per second on one core;
 * then what the stack does with a received message besides parsing it (reading its headers, answering).
 * Run: node --import tsx bench/sip-parser.bench.ts
 */
import { cpus } from 'node:os';
import { createResponse } from '../src/sip/message/message-factory.js';
import { parseMessage } from '../src/sip/message/parser.js';
import { serializeMessage } from '../src/sip/message/serializer.js';
import type { SipRequest } from '../src/sip/message/sip-message.js';
import { clientKey, serverKey } from '../src/sip/transaction/transaction-keys.js';
import { responseDestination, stampVia } from '../src/sip/transport/transport-layer.js';
import type { Destination } from '../src/sip/transport/transport-types.js';

const SDP = 'v=0\r\no=- 20518 0 IN IP4 203.0.113.1\r\ns=-\r\nc=IN IP4 203.0.113.1\r\nt=0 0\r\nm=audio 54400 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n';
const MESSAGES: Record<string, string> = {
  'INVITE with SDP': `INVITE sip:+15551234567@ringside.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bK776asdhds;rport\r\nVia: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKnashds8;received=10.1.1.1\r\nMax-Forwards: 69\r\nTo: <sip:+15551234567@ringside.example.com>\r\nFrom: "Alice Example" <sip:+15557654321@carrier.example.net>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.carrier.example.net\r\nCSeq: 314159 INVITE\r\nContact: <sip:+15557654321@203.0.113.1:5060>\r\nRecord-Route: <sip:203.0.113.1;lr>\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\nSupported: replaces, timer\r\nUser-Agent: Carrier SBC 1.0\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`,
  'REGISTER with Authorization': `REGISTER sip:ringside.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bKPjx1\r\nMax-Forwards: 70\r\nFrom: <sip:alice@ringside.example.com>;tag=abc123\r\nTo: <sip:alice@ringside.example.com>\r\nCall-ID: 8d1c2a8f-7c7e@192.0.2.10\r\nCSeq: 2 REGISTER\r\nContact: <sip:alice@192.0.2.10:5060;ob>;expires=600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"\r\nAuthorization: Digest username="alice", realm="ringside.example.com", nonce="18f3c2a1b.4f2e9d7c5b3a1908.Qm9vZ2llV29vZ2llMTIz", uri="sip:ringside.example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n`,
  '200 OK (OPTIONS)': `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;rport=5070;received=127.0.0.1\r\nFrom: <sip:ringside@127.0.0.1>;tag=88sja8x\r\nTo: <sip:b@127.0.0.1>;tag=93810874\r\nCall-ID: 1j9FpLxk3uxtm8tn@127.0.0.1\r\nCSeq: 63104 OPTIONS\r\nAllow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n`,
};

/**
 * Operations per second: the median of ~50 ms slices over `ms`. On a shared machine a burst of someone
 * else's work slows a few slices, not the figure.
 */
function rate(fn: () => void, ms = 1500): number {
  for (let i = 0; i < 2000; i++) fn(); // warm-up
  const rates: number[] = [];
  const end = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  for (let now = process.hrtime.bigint(); now < end; ) {
    const start = now;
    let n = 0;
    while (now - start < 50_000_000n) {
      for (let i = 0; i < 100; i++) fn();
      n += 100;
      now = process.hrtime.bigint();
    }
    rates.push(n / (Number(now - start) / 1e9));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] as number;
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}\n`);
console.log('| message | bytes | parse / s | serialize / s | parse + serialize / s |');
console.log('|---|---:|---:|---:|---:|');
/** The bytes as a UDP datagram arrives: a buffer of its own (Buffer.from would cut it out of the pool). */
function datagram(text: string): Buffer {
  const buf = Buffer.alloc(Buffer.byteLength(text));
  buf.write(text);
  return buf;
}

for (const [name, text] of Object.entries(MESSAGES)) {
  const buf = datagram(text);
  const parsed = parseMessage(buf);
  const p = rate(() => parseMessage(buf));
  const s = rate(() => serializeMessage(parsed));
  const ps = rate(() => serializeMessage(parseMessage(buf)));
  console.log(`| ${name} | ${buf.length} | ${fmt(p)} | ${fmt(s)} | ${fmt(ps)} |`);
}

// A carrier's INVITE as the UAS side of the stack handles it: Via stamped (§18.2.1), transaction key,
// tags, CSeq, Contact read; 100 Trying and a 200 with SDP built, serialized and routed (§18.2.2). And a
// 200 as the UAC side handles it: key, tags, CSeq, Contact.
const SIPP_INVITE = datagram(`INVITE sip:+15551234567@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-2837-1-0\r\nFrom: sipp <sip:sipp@127.0.0.1:5061>;tag=2837SIPpTag001\r\nTo: <sip:+15551234567@127.0.0.1:5060>\r\nCall-ID: 1-2837@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: sip:sipp@127.0.0.1:5061\r\nMax-Forwards: 70\r\nSubject: Performance Test\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`);
const ANSWER = datagram(`SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK0123456789abcdef0123;rport=5060;received=127.0.0.1\r\nFrom: <sip:ringside@127.0.0.1>;tag=a1b2c3d4e5f6\r\nTo: <sip:+15557654321@127.0.0.1:5062>;tag=4242SIPpTag011\r\nCall-ID: 0123456789abcdef01234567@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:127.0.0.1:5062;transport=UDP>\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`);
const SOURCE: Destination = { protocol: 'udp', host: '127.0.0.1', port: 5061 };
let sink = 0;
const FLOWS: Record<string, () => void> = {
  'INVITE received, 100 and 200 sent (UAS)': () => {
    const req = parseMessage(SIPP_INVITE) as SipRequest;
    stampVia(req, SOURCE);
    sink += serverKey(req).length + (req.toTag === undefined ? 1 : 0) + (req.fromTag ?? '').length + req.callId.length + req.cseq.seq + req.contacts.length;
    const trying = createResponse(req, 100);
    sink += serializeMessage(trying).length + responseDestination(trying.topVia, SOURCE).port;
    const ok = createResponse(req, 200, { toTag: 'abcdef123456', headers: { contact: '<sip:ringside@127.0.0.1:5060>' }, body: SDP });
    sink += (ok.toTag ?? '').length + ok.cseq.seq + serializeMessage(ok).length + responseDestination(ok.topVia, SOURCE).port;
  },
  '200 received (UAC)': () => {
    const res = parseMessage(ANSWER);
    sink += clientKey(res).length + (res.toTag ?? '').length + (res.fromTag ?? '').length + res.callId.length + res.cseq.seq + res.contacts.length;
  },
};
console.log('\n| what the stack does with it | µs | per s |');
console.log('|---|---:|---:|');
for (const [name, fn] of Object.entries(FLOWS)) {
  const r = rate(fn);
  console.log(`| ${name} | ${(1e6 / r).toFixed(1)} | ${fmt(r)} |`);
}
if (sink === 0) console.log('');
