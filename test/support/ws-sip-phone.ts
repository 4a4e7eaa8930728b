/**
 * A browser-like SIP phone for tests: SIP over WebSocket (RFC 7118) with the real `ws` client, the
 * subprotocol `sip`, a made-up `.invalid` Via host and Contact as SIP.js and JsSIP use, digest answered
 * with Ringside's own DigestClient. It keeps every message it receives so a test can await them in order.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { DigestClient } from '../../src/sip/auth/digest-client.js';
import { SipHeaders } from '../../src/sip/message/headers.js';
import { parseMessage } from '../../src/sip/message/parser.js';
import { serializeMessage } from '../../src/sip/message/serializer.js';
import { SipRequest, SipResponse, type SipMessage } from '../../src/sip/message/sip-message.js';

const rnd = () => randomBytes(6).toString('hex');

export class WsSipPhone {
  readonly received: SipMessage[] = [];
  /** Raw text of every message received, in order (for assertions on exact header values). */
  readonly raw: string[] = [];
  readonly host = `${rnd()}.invalid`;
  readonly contactUser = rnd();
  #waiters: (() => void)[] = [];
  #seen = 0;
  closed = false;

  private constructor(readonly ws: WebSocket, readonly transport: 'ws' | 'wss') {
    ws.on('message', (d: Buffer) => {
      const text = d.toString();
      if (text.trim() === '') return;
      this.raw.push(text);
      this.received.push(parseMessage(Buffer.from(text)));
      this.#wake();
    });
    ws.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<WsSipPhone> {
    const ws = new WebSocket(url, 'sip', options);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsSipPhone(ws, url.startsWith('wss:') ? 'wss' : 'ws')));
      ws.once('error', reject);
    });
  }

  get contact(): string {
    return `<sip:${this.contactUser}@${this.host};transport=${this.transport}>`;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Drops what was received so far (long runs: the bench). */
  forget(): void {
    this.received.length = 0;
    this.raw.length = 0;
    this.#seen = 0;
  }

  send(msg: SipMessage | string): void {
    this.ws.send(typeof msg === 'string' ? msg : serializeMessage(msg).toString());
  }

  /** The next message received (after those already taken) that `pred` accepts; others are skipped. */
  async next(pred: (m: SipMessage) => boolean, timeoutMs = 10_000, what = 'message'): Promise<SipMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#seen < this.received.length) {
        const m = this.received[this.#seen++]!;
        if (pred(m)) return m;
      }
      if (this.closed) throw new Error(`socket closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got: ${this.raw.map((r) => r.split('\r\n')[0]).join(' | ')}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  response(method: string, timeoutMs?: number): Promise<SipResponse> {
    return this.next((m) => m.kind === 'response' && m.cseq.method === method && m.status >= 200, timeoutMs, `final response to ${method}`) as Promise<SipResponse>;
  }

  request(method: string, timeoutMs?: number): Promise<SipRequest> {
    return this.next((m) => m.kind === 'request' && m.method === method, timeoutMs, method) as Promise<SipRequest>;
  }

  #via(): string {
    return `SIP/2.0/${this.transport.toUpperCase()} ${this.host};branch=z9hG4bK${rnd()}`;
  }

  /** REGISTER as `username` at `domain`, answering the digest challenge; resolves with the final response. */
  async register(username: string, password: string, domain: string, expires = 300): Promise<SipResponse> {
    const h = new SipHeaders();
    const callId = rnd();
    h.append('via', this.#via());
    h.append('max-forwards', '70');
    h.append('from', `<sip:${username}@${domain}>;tag=${rnd()}`);
    h.append('to', `<sip:${username}@${domain}>`);
    h.append('call-id', callId);
    h.append('cseq', '1 REGISTER');
    h.append('contact', `${this.contact};expires=${expires}`);
    h.append('content-length', '0');
    const req = new SipRequest('REGISTER', `sip:${domain}`, h, Buffer.alloc(0));
    this.send(req);
    const first = await this.response('REGISTER');
    if (first.status !== 401 && first.status !== 407) return first;
    const retry = new SipRequest('REGISTER', req.uri, h.clone(), Buffer.alloc(0));
    retry.headers.set('via', this.#via());
    retry.headers.set('cseq', '2 REGISTER');
    if (!new DigestClient({ username, password }).authorize(retry, first)) throw new Error('cannot answer the challenge');
    this.send(retry);
    return this.response('REGISTER');
  }

  /**
   * Calls `target` (a number or extension at `domain`) with `sdp`, answering the digest challenge (ACKing
   * it in its transaction, §17.1.1.3); ACKs the 2xx (§13.2.2.4). Resolves with the final response and the
   * dialog's identifiers for the BYE.
   */
  async call(target: string, domain: string, username: string, password: string, sdp: string): Promise<{ final: SipResponse; bye(): Promise<SipResponse> }> {
    const callId = rnd();
    const fromTag = rnd();
    const build = (seq: number, method: string, via = this.#via()): SipRequest => {
      const h = new SipHeaders();
      h.append('via', via);
      h.append('max-forwards', '70');
      h.append('from', `<sip:${username}@${domain}>;tag=${fromTag}`);
      h.append('to', `<sip:${target}@${domain}>`);
      h.append('call-id', callId);
      h.append('cseq', `${seq} ${method}`);
      h.append('contact', this.contact);
      if (method === 'INVITE') h.append('content-type', 'application/sdp');
      return new SipRequest(method, `sip:${target}@${domain}`, h, Buffer.from(method === 'INVITE' ? sdp : ''));
    };
    let invite = build(1, 'INVITE');
    this.send(invite);
    let final = await this.response('INVITE', 15_000);
    if (final.status === 401 || final.status === 407) {
      const ack = build(1, 'ACK', invite.headers.get('via')!);
      ack.headers.set('to', final.headers.get('to')!);
      this.send(ack);
      const retry = build(2, 'INVITE');
      if (!new DigestClient({ username, password }).authorize(retry, final)) throw new Error('cannot answer the INVITE challenge');
      invite = retry;
      this.send(invite);
      final = await this.response('INVITE', 15_000);
    }
    const to = final.headers.get('to')!;
    const remoteTarget = /<([^>]+)>/.exec(final.headers.get('contact') ?? '')?.[1] ?? invite.uri;
    const inDialog = (seq: number, method: string): SipRequest => {
      const r = build(seq, method);
      r.uri = remoteTarget;
      r.headers.set('to', to);
      r.headers.removeFirstValue('contact');
      r.body = Buffer.alloc(0);
      r.headers.removeFirstValue('content-type');
      return r;
    };
    if (final.status >= 200 && final.status < 300) this.send(inDialog(invite.cseq.seq, 'ACK'));
    return {
      final,
      bye: async () => {
        this.send(inDialog(invite.cseq.seq + 1, 'BYE'));
        return this.response('BYE');
      },
    };
  }

  /** A response to `req` (To tag added for dialog-creating answers), with our Contact and optional SDP. */
  answer(req: SipRequest, status: number, reason: string, toTag: string, sdp?: string): SipResponse {
    const h = new SipHeaders();
    for (const v of req.headers.getAll('via')) h.append('via', v);
    for (const v of req.headers.getAll('record-route')) h.append('record-route', v);
    h.append('from', req.headers.get('from')!);
    const to = req.headers.get('to')!;
    h.append('to', /;\s*tag=/.test(to) ? to : `${to};tag=${toTag}`);
    h.append('call-id', req.callId);
    h.append('cseq', req.headers.get('cseq')!);
    if (req.method === 'INVITE') h.append('contact', this.contact);
    if (sdp) h.append('content-type', 'application/sdp');
    const body = Buffer.from(sdp ?? '');
    h.append('content-length', String(body.length));
    const res = new SipResponse(status, reason, h, body);
    this.send(res);
    return res;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

/** A minimal PCMU answer naming `port` on loopback (the test's RTP sink, or 9 to discard). */
export function pcmuAnswer(port: number): string {
  return ['v=0', 'o=ws 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
}

/**
 * What a browser answers to Ringside's WebRTC offer (a call to a WebSocket contact is offered
 * UDP/TLS/RTP/SAVPF): werift's RTCPeerConnection, a complete ICE + DTLS-SRTP stack, makes the answer and
 * then connects to Ringside's media; closed in `t.after`.
 */
export async function webrtcAnswer(t: { after(fn: () => unknown): void }, offer: string): Promise<{ sdp: string; pc: RTCPeerConnection }> {
  const pc = new RTCPeerConnection({
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 }), new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 })] },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  t.after(() => pc.close());
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  const transceiver = pc.getTransceivers()[0]!;
  transceiver.sender.replaceTrack(new MediaStreamTrack({ kind: 'audio' }));
  transceiver.setDirection('sendrecv');
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState !== 'complete') await new Promise<void>((r) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && r()));
  return { sdp: pc.localDescription!.sdp, pc };
}
