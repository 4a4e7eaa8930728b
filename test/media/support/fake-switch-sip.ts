/**
 * TEST-ONLY FAKE. Why this exists: the media tests need real SIP peers (sipp, baresip) to set up calls,
 * and Ringside's switch and SIP stack (src/sip, src/switch) are being written in parallel and are not ready.
 * This is the smallest UDP SIP user agent that stands in for the switch until the switch issue lands:
 *   - as UAS: answers an INVITE with 100 + 200 (SDP answer from the media engine), takes ACK, answers
 *     BYE with 200 — enough for a sipp UAC scenario;
 *   - as UAC: sends an INVITE with an SDP offer, ACKs the 200, sends BYE — enough for baresip auto-answer.
 * No transactions, no timers beyond a fixed retransmission, no authentication, no TCP. Do not use outside
 * test/media; replace with the real switch once it exists.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

interface SipMessage {
  startLine: string;
  headers: [string, string][];
  body: string;
}

const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', l: 'content-length', m: 'contact', c: 'content-type' };

function parse(text: string): SipMessage {
  const sep = text.indexOf('\r\n\r\n');
  const head = sep >= 0 ? text.slice(0, sep) : text;
  const lines = head.split('\r\n');
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (/^\s/.test(line) && headers.length) headers[headers.length - 1]![1] += ' ' + line.trim();
    else {
      const i = line.indexOf(':');
      if (i > 0) {
        const name = line.slice(0, i).trim().toLowerCase();
        headers.push([COMPACT[name] ?? name, line.slice(i + 1).trim()]);
      }
    }
  }
  let body = sep >= 0 ? text.slice(sep + 4) : '';
  const len = headers.find(([n]) => n === 'content-length');
  if (len) body = Buffer.from(body).subarray(0, Number(len[1])).toString();
  return { startLine: lines[0] ?? '', headers, body };
}

function header(m: SipMessage, name: string): string {
  return m.headers.find(([n]) => n === name)?.[1] ?? '';
}

function all(m: SipMessage, name: string): string[] {
  return m.headers.filter(([n]) => n === name).map(([, v]) => v);
}

function tag(): string {
  return randomBytes(6).toString('hex');
}

function build(startLine: string, headers: [string, string][], body = ''): string {
  const h = [...headers, ['Content-Length', String(Buffer.byteLength(body))] as [string, string]];
  return `${startLine}\r\n${h.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

export interface OutgoingCall {
  callId: string;
  answerSdp: string;
  bye(): Promise<void>;
}

export class FakeSwitchSip {
  readonly socket: Socket;
  readonly port: number;
  /** Produces the SDP answer for an incoming INVITE; throwing answers 488. */
  onInvite: (offerSdp: string, callId: string) => string = () => {
    throw new Error('no INVITE handler');
  };
  readonly acked = new Set<string>();
  readonly byes = new Set<string>();
  readonly log: string[] = [];
  #waiters = new Map<string, (m: SipMessage, r: RemoteInfo) => void>();
  #answered = new Map<string, string>();

  private constructor(socket: Socket) {
    this.socket = socket;
    this.port = socket.address().port;
    socket.on('message', (buf, rinfo) => this.#onMessage(parse(buf.toString()), rinfo));
  }

  static open(): Promise<FakeSwitchSip> {
    return new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve(new FakeSwitchSip(s)));
    });
  }

  #send(text: string, port: number, address = '127.0.0.1'): void {
    this.log.push(`> ${text.split('\r\n')[0]}`);
    this.socket.send(text, port, address);
  }

  #respond(req: SipMessage, rinfo: RemoteInfo, status: string, extra: [string, string][] = [], body = '', toTag?: string): string {
    let to = header(req, 'to');
    if (toTag && !/;tag=/i.test(to)) to += `;tag=${toTag}`;
    const text = build(
      `SIP/2.0 ${status}`,
      [...all(req, 'via').map((v) => ['Via', v] as [string, string]), ['From', header(req, 'from')], ['To', to], ['Call-ID', header(req, 'call-id')], ['CSeq', header(req, 'cseq')], ...extra],
      body,
    );
    this.#send(text, rinfo.port, rinfo.address);
    return text;
  }

  #onMessage(m: SipMessage, rinfo: RemoteInfo): void {
    this.log.push(`< ${m.startLine}`);
    const callId = header(m, 'call-id');
    if (m.startLine.startsWith('SIP/2.0')) {
      this.#waiters.get(callId)?.(m, rinfo);
      return;
    }
    const method = m.startLine.split(' ')[0];
    if (method === 'INVITE') {
      const previous = this.#answered.get(callId);
      if (previous) {
        this.socket.send(previous, rinfo.port, rinfo.address); // INVITE retransmission
        return;
      }
      this.#respond(m, rinfo, '100 Trying');
      let answer: string;
      try {
        answer = this.onInvite(m.body, callId);
      } catch (err) {
        this.#respond(m, rinfo, '488 Not Acceptable Here', [['Warning', `399 ringside "${(err as Error).message.replace(/"/g, "'")}"`]], '', tag());
        return;
      }
      const ok = this.#respond(m, rinfo, '200 OK', [['Contact', `<sip:ringside@127.0.0.1:${this.port}>`], ['Content-Type', 'application/sdp']], answer, tag());
      this.#answered.set(callId, ok);
    } else if (method === 'ACK') {
      this.acked.add(callId);
    } else if (method === 'BYE') {
      this.byes.add(callId);
      this.#respond(m, rinfo, '200 OK');
    } else {
      this.#respond(m, rinfo, '200 OK');
    }
  }

  /** UAC: INVITE `user@127.0.0.1:port` with `offerSdp`; resolves when the 200 is ACKed. */
  invite(user: string, port: number, offerSdp: string, timeoutMs = 10_000): Promise<OutgoingCall> {
    const callId = `${tag()}@ringside-test`;
    const fromTag = tag();
    const target = `sip:${user}@127.0.0.1:${port}`;
    const from = `<sip:ringside@127.0.0.1:${this.port}>;tag=${fromTag}`;
    const common = (branch: string, cseq: string, to: string): [string, string][] => [
      ['Via', `SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK${branch};rport`],
      ['Max-Forwards', '70'],
      ['From', from],
      ['To', to],
      ['Call-ID', callId],
      ['CSeq', cseq],
      ['Contact', `<sip:ringside@127.0.0.1:${this.port}>`],
    ];
    const invite = build(`INVITE ${target} SIP/2.0`, [...common(tag(), '1 INVITE', `<${target}>`), ['Content-Type', 'application/sdp']], offerSdp);
    return new Promise((resolve, reject) => {
      let settled = false;
      const retrans = setInterval(() => !settled && this.#send(invite, port), 500);
      const timer = setTimeout(() => finish(new Error(`no final response to INVITE within ${timeoutMs} ms; log: ${this.log.join(' | ')}`)), timeoutMs);
      const finish = (err: Error | null, call?: OutgoingCall): void => {
        clearInterval(retrans);
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve(call!);
      };
      this.#waiters.set(callId, (res, rinfo) => {
        const code = Number(res.startLine.split(' ')[1]);
        if (!header(res, 'cseq').endsWith('INVITE')) return;
        if (code < 200) {
          clearInterval(retrans);
          return;
        }
        const to = header(res, 'to');
        const contact = /<([^>]+)>/.exec(header(res, 'contact'))?.[1] ?? target;
        // ACK every 2xx, including retransmissions (RFC 3261 13.2.2.4).
        this.#send(build(`ACK ${contact} SIP/2.0`, common(tag(), '1 ACK', to)), rinfo.port, rinfo.address);
        if (code >= 300) return finish(new Error(`INVITE answered ${res.startLine}`));
        finish(null, {
          callId,
          answerSdp: res.body,
          bye: () =>
            new Promise<void>((res2) => {
              const bye = build(`BYE ${contact} SIP/2.0`, common(tag(), '2 BYE', to));
              let n = 0;
              const again = setInterval(() => (++n > 4 ? (clearInterval(again), res2()) : this.#send(bye, rinfo.port, rinfo.address)), 500);
              this.#waiters.set(callId, (r) => {
                if (header(r, 'cseq').endsWith('BYE')) {
                  clearInterval(again);
                  res2();
                }
              });
              this.#send(bye, rinfo.port, rinfo.address);
            }),
        });
      });
      this.#send(invite, port);
    });
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // closed
    }
  }
}
