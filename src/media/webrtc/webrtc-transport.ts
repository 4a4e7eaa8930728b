/**
 * The secure transport of a WebRTC leg on the endpoint's one RTP port (RFC 8834/8835): ICE-lite answers the
 * browser's connectivity checks (ice-lite.ts), DTLS runs over the pair ICE selected (RFC 5763/5764, werift's
 * DTLS), the SRTP keys come from the DTLS exporter (RFC 5764 §4.2), and RTP and RTCP share the port
 * (rtcp-mux, RFC 5761). The peer's certificate must match its a=fingerprint (RFC 5763 §5) or no key is used.
 *
 * DTLS role (RFC 5763 §5): we answer `passive` (DTLS server) to an `actpass`/`active` offer and `active` to a
 * `passive` one; we offer `actpass` and take the role the answer leaves us. The role, the ICE credentials
 * and the keys stay for the endpoint's life: a re-offer (hold, resume) changes direction only.
 */
import { DtlsClient, DtlsServer, type DtlsSocket, type Transport } from 'werift';
import type { Logger } from '../../log/logger.js';
import type { MediaSecurity } from '../media-security.js';
import type { Address } from '../rtp-session.js';
import type { RemoteSecurity } from '../sdp-negotiator.js';
import { IceLite } from './ice-lite.js';
import { certificateFingerprint, type DtlsCertificate } from './dtls-certificate.js';
import { SRTP_KEY_LENGTH, SRTP_SALT_LENGTH, SrtpProtector } from './srtp-protector.js';
import { ProtectionProfileAes128CmHmacSha1_80 } from 'werift';

export type DtlsRole = 'server' | 'client';
export type WebRtcState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export interface WebRtcTransportOptions {
  certificate: DtlsCertificate;
  /** Sends a datagram from the endpoint's RTP socket. */
  send: (data: Buffer, to: Address) => void;
  /** ICE selected (or nominated) where media goes. */
  onSelected: (to: Address) => void;
  /** DTLS finished and the SRTP keys are in place (or failed). */
  onState?: (state: WebRtcState) => void;
  logger: Logger;
}

function normalizeFingerprint(v: string): string {
  return v.replace(/:/g, '').toUpperCase();
}

export class WebRtcTransport implements MediaSecurity {
  readonly rtcpMux = true;
  readonly ice = new IceLite();
  readonly certificate: DtlsCertificate;
  readonly #o: WebRtcTransportOptions;
  #role: DtlsRole | null = null;
  #remoteFingerprint: { algorithm: string; value: string } | null = null;
  #dtls: DtlsSocket | null = null;
  #dtlsPeer: Address | null = null;
  #deliver: ((data: Buffer, addr: [string, number]) => void) | null = null;
  #protector: SrtpProtector | null = null;
  #state: WebRtcState = 'new';

  constructor(o: WebRtcTransportOptions) {
    this.#o = o;
    this.certificate = o.certificate;
  }

  get state(): WebRtcState {
    return this.#state;
  }

  get role(): DtlsRole | null {
    return this.#role;
  }

  /** SRTP packets that failed authentication (dropped). */
  get authFailures(): number {
    return this.#protector?.failures ?? 0;
  }

  /** Our a=setup for an offer (`actpass`) or for the answer to `remote`'s offer. */
  setupFor(remote?: RemoteSecurity): 'actpass' | 'active' | 'passive' {
    if (!remote) return 'actpass';
    if (this.#role) return this.#role === 'server' ? 'passive' : 'active';
    return remote.setup === 'passive' ? 'active' : 'passive';
  }

  /**
   * The peer's ICE credentials, fingerprint and setup, from its offer (`answering`) or its answer to ours.
   * Starts DTLS in the role that leaves us: a server waits for the ClientHello; a client sends it once ICE
   * has found the peer.
   */
  negotiate(remote: RemoteSecurity, answering: boolean): void {
    if (!remote.ice || !remote.fingerprint) throw new Error('a WebRTC stream needs ice-ufrag/ice-pwd and a=fingerprint');
    this.ice.remoteUfrag = remote.ice.ufrag;
    this.#remoteFingerprint = remote.fingerprint;
    if (this.#role) return;
    // An offer's actpass/active, or an answer's active, leaves us the server; passive leaves us the client.
    // (A missing a=setup is taken as active, the RFC 4145 §4.1 default for an offer; `answering` only names
    // which side this SDP came from.)
    void answering;
    this.#role = (remote.setup ?? 'active') === 'passive' ? 'client' : 'server';
    this.#startDtls();
  }

  #startDtls(): void {
    const transport: Transport = {
      type: 'udp',
      address: { address: '0.0.0.0', family: 'IPv4', port: 0 },
      closed: false,
      onData: () => {},
      send: async (data: Buffer) => {
        const to = this.#dtlsPeer ?? this.ice.selected;
        if (to && this.#state !== 'closed') this.#o.send(data, to);
      },
      close: async () => {},
    };
    const opts = {
      transport,
      cert: this.certificate.certPem,
      key: this.certificate.keyPem,
      signatureHash: this.certificate.signatureHash,
      srtpProfiles: [ProtectionProfileAes128CmHmacSha1_80],
      extendedMasterSecret: true,
    };
    // The server asks for the client's certificate: it is what a=fingerprint vouches for (RFC 5763 §5).
    const dtls = this.#role === 'server' ? new DtlsServer({ ...opts, certificateRequest: true }) : new DtlsClient(opts);
    this.#dtls = dtls;
    this.#deliver = (data, addr) => transport.onData(data, addr);
    this.#setState('connecting');
    dtls.onConnect.once(() => this.#connected());
    dtls.onError.once((err) => {
      this.#o.logger.warn({ err }, 'DTLS handshake failed');
      this.#setState('failed');
    });
    if (this.#role === 'client' && this.ice.selected) this.#connect();
  }

  #connect(): void {
    const dtls = this.#dtls;
    if (!(dtls instanceof DtlsClient) || dtls.connected) return;
    dtls.connect().catch((err: unknown) => {
      this.#o.logger.warn({ err }, 'DTLS connect failed');
      this.#setState('failed');
    });
  }

  #connected(): void {
    const dtls = this.#dtls!;
    const fp = this.#remoteFingerprint!;
    const cert = dtls.remoteCertificate;
    let actual = '';
    try {
      actual = cert ? certificateFingerprint(cert, fp.algorithm) : '';
    } catch {
      actual = '';
    }
    if (!cert || normalizeFingerprint(actual) !== normalizeFingerprint(fp.value)) {
      this.#o.logger.warn({ expected: fp, actual }, 'DTLS peer certificate does not match a=fingerprint: no SRTP keys');
      this.#setState('failed');
      return;
    }
    this.#protector = new SrtpProtector(dtls.extractSessionKeys(SRTP_KEY_LENGTH, SRTP_SALT_LENGTH));
    this.#o.logger.debug({ role: this.#role }, 'DTLS-SRTP connected');
    this.#setState('connected');
  }

  #setState(s: WebRtcState): void {
    if (this.#state === s || this.#state === 'closed') return;
    this.#state = s;
    this.#o.onState?.(s);
  }

  control(data: Buffer, from: Address): void {
    if (this.#state === 'closed') return;
    const first = data[0]!;
    if (first <= 3) {
      const before = this.ice.selected;
      const r = this.ice.handle(data, from);
      if (!r) return;
      this.#o.send(r.response, from);
      const now = this.ice.selected;
      if (now && (!before || before.address !== now.address || before.port !== now.port)) this.#o.onSelected(now);
      if (this.#role === 'client') this.#connect();
      return;
    }
    // DTLS: answer where it came from (the pair the peer is using).
    this.#dtlsPeer = from;
    this.#deliver?.(data, [from.address, from.port]);
  }

  unprotectRtp(data: Buffer): Buffer | null {
    return this.#protector ? this.#protector.unprotectRtp(data) : null;
  }

  unprotectRtcp(data: Buffer): Buffer | null {
    return this.#protector ? this.#protector.unprotectRtcp(data) : null;
  }

  protectRtp(packet: Buffer): Buffer | null {
    return this.#protector ? this.#protector.protectRtp(packet) : null;
  }

  protectRtcp(packet: Buffer): Buffer | null {
    return this.#protector ? this.#protector.protectRtcp(packet) : null;
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    try {
      this.#dtls?.close();
    } catch {
      // already closed
    }
    this.#dtls = null;
    this.#deliver = null;
  }
}
