/**
 * The browser phone of the WebRTC end-to-end test: SIP.js (bundled by the test with esbuild) registers over
 * `ws://…/sip` as the user the page's query names, answers the first call, and measures what it hears with
 * WebAudio (an AnalyserNode on the remote stream). The test reads `window.phone`. Runs in Chromium only.
 */
import { Registerer, SessionState, UserAgent, type Invitation } from 'sip.js';

interface PhoneState {
  registered: boolean;
  call: string;
  errors: string[];
  /** RMS (0-1) of the remote audio over the last analyser window. */
  level(): number;
  /** The loudest frequency of the remote audio, Hz. */
  peakHz(): number;
  /** Chrome's view of the media: packets received/sent on the audio RTP streams. */
  rtpStats(): Promise<{ received: number; sent: number }>;
}

declare global {
  interface Window {
    phone: PhoneState;
  }
}

const q = new URLSearchParams(location.search);
const server = q.get('ws')!;
const user = q.get('user')!;
const password = q.get('password')!;
const domain = q.get('domain')!;

let analyser: AnalyserNode | null = null;
let session: Invitation | null = null;

const state: PhoneState = {
  registered: false,
  call: 'idle',
  errors: [],
  level() {
    if (!analyser) return 0;
    const buf = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(buf);
    let acc = 0;
    for (const v of buf) acc += v * v;
    return Math.sqrt(acc / buf.length);
  },
  peakHz() {
    if (!analyser) return 0;
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i]! > bins[best]!) best = i;
    return (best * analyser.context.sampleRate) / analyser.fftSize;
  },
  async rtpStats() {
    const pc = (session?.sessionDescriptionHandler as unknown as { peerConnection?: RTCPeerConnection } | undefined)?.peerConnection;
    let received = 0;
    let sent = 0;
    if (pc) (await pc.getStats()).forEach((s: { type: string; kind?: string; packetsReceived?: number; packetsSent?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') received += s.packetsReceived ?? 0;
      if (s.type === 'outbound-rtp' && s.kind === 'audio') sent += s.packetsSent ?? 0;
    });
    return { received, sent };
  },
};
window.phone = state;

function listen(inv: Invitation): void {
  const pc = (inv.sessionDescriptionHandler as unknown as { peerConnection: RTCPeerConnection }).peerConnection;
  const stream = new MediaStream();
  for (const r of pc.getReceivers()) if (r.track) stream.addTrack(r.track);
  // Chrome only pulls a remote WebRTC stream into WebAudio while a media element plays it too.
  const audio = new Audio();
  audio.srcObject = stream;
  audio.muted = true;
  void audio.play().catch((e: unknown) => state.errors.push(`audio.play: ${String(e)}`));
  const ctx = new AudioContext();
  analyser = ctx.createAnalyser();
  analyser.fftSize = 4096;
  ctx.createMediaStreamSource(stream).connect(analyser);
  void ctx.resume();
}

const ua = new UserAgent({
  uri: UserAgent.makeURI(`sip:${user}@${domain}`)!,
  transportOptions: { server },
  authorizationUsername: user,
  authorizationPassword: password,
  logLevel: 'warn',
  sessionDescriptionHandlerFactoryOptions: { iceGatheringTimeout: 2000, peerConnectionConfiguration: { iceServers: [] } },
  delegate: {
    onInvite(inv: Invitation) {
      session = inv;
      state.call = 'ringing';
      inv.stateChange.addListener((s: SessionState) => {
        state.call = s;
        if (s === SessionState.Established) listen(inv);
      });
      inv.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } }).catch((e: unknown) => state.errors.push(`accept: ${String(e)}`));
    },
  },
});

ua.start()
  .then(async () => {
    const reg = new Registerer(ua);
    reg.stateChange.addListener((s) => (state.registered = s === 'Registered'));
    await reg.register();
  })
  .catch((e: unknown) => state.errors.push(`start: ${String(e)}`));
