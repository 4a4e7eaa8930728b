/**
 * The browser phone: SIP.js over Ringside's SIP WebSocket (`/sip` on the page's own host, docs/phones.md)
 * with WebRTC media, as test/webrtc/browser/phone-page.ts does. The API never returns SIP credentials, so
 * the SIP password is asked for here and kept only in memory. SIP.js is loaded when this screen opens.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Invitation, Inviter, Registerer, Session, UserAgent } from 'sip.js';
import { describeError } from '../components/error-box';
import type { ScreenProps } from '../screens';

type SipJs = typeof import('sip.js');

function sipServer(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sip`;
}

export function Phone({ session }: ScreenProps) {
  const [username, setUsername] = useState(session.user.extension ?? '');
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState('not registered');
  const [call, setCall] = useState<{ state: string; peer: string; incoming: boolean } | null>(null);
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ua = useRef<{ sip: SipJs; ua: UserAgent; reg: Registerer } | null>(null);
  const current = useRef<Session | null>(null);
  const audio = useRef<HTMLAudioElement>(null);

  // Leaving the screen hangs up, unregisters (so no call rings a phone nobody sees) and stops.
  useEffect(
    () => () => {
      const u = ua.current;
      current.current?.dispose().catch(() => undefined);
      if (u) void u.reg.unregister().catch(() => undefined).finally(() => void u.ua.stop());
    },
    [],
  );

  const attach = (s: Session, sip: SipJs, incoming: boolean, peer: string) => {
    current.current = s;
    setCall({ state: 'ringing', peer, incoming });
    s.stateChange.addListener((st) => {
      setCall((c) => (c ? { ...c, state: st } : c));
      if (st === sip.SessionState.Established) {
        const pc = (s.sessionDescriptionHandler as unknown as { peerConnection: RTCPeerConnection }).peerConnection;
        const stream = new MediaStream();
        for (const r of pc.getReceivers()) if (r.track) stream.addTrack(r.track);
        if (audio.current) {
          audio.current.srcObject = stream;
          void audio.current.play().catch(() => undefined);
        }
      }
      if (st === sip.SessionState.Terminated) {
        current.current = null;
        setTimeout(() => setCall(null), 1500);
      }
    });
  };

  const register = async () => {
    setError(null);
    try {
      const sip = await import('sip.js');
      const domain = location.hostname;
      const agent = new sip.UserAgent({
        uri: sip.UserAgent.makeURI(`sip:${username}@${domain}`)!,
        transportOptions: { server: sipServer() },
        authorizationUsername: username,
        authorizationPassword: password,
        logLevel: 'warn',
        sessionDescriptionHandlerFactoryOptions: { iceGatheringTimeout: 2000, peerConnectionConfiguration: { iceServers: [] } },
        delegate: {
          onInvite(inv: Invitation) {
            if (current.current) {
              void inv.reject({ statusCode: 486 });
              return;
            }
            attach(inv, sip, true, inv.remoteIdentity.displayName || inv.remoteIdentity.uri.user || 'unknown');
          },
        },
      });
      await agent.start();
      const reg = new sip.Registerer(agent);
      reg.stateChange.addListener((s) => setStatus(s === sip.RegistererState.Registered ? 'registered' : s.toLowerCase()));
      await reg.register({ requestDelegate: { onReject: (r) => setError(`registration refused: ${r.message.statusCode} ${r.message.reasonPhrase}`) } });
      ua.current = { sip, ua: agent, reg };
    } catch (e) {
      setError(describeError(e));
    }
  };

  const unregister = async () => {
    await ua.current?.reg.unregister().catch(() => undefined);
    await ua.current?.ua.stop();
    ua.current = null;
    setStatus('not registered');
  };

  const dial = () => {
    const u = ua.current;
    if (!u || !target.trim()) return;
    const uri = u.sip.UserAgent.makeURI(`sip:${target.trim()}@${location.hostname}`);
    if (!uri) return setError(`not a number: ${target}`);
    const inviter: Inviter = new u.sip.Inviter(u.ua, uri, { sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
    attach(inviter, u.sip, false, target.trim());
    inviter.invite().catch((e: unknown) => setError(describeError(e)));
  };

  const answer = () => {
    const s = current.current as Invitation | null;
    s?.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } }).catch((e: unknown) => setError(describeError(e)));
  };

  const hangup = () => {
    const s = current.current;
    const u = ua.current;
    if (!s || !u) return;
    if (s.state === u.sip.SessionState.Established) void s.bye();
    else if (call?.incoming) void (s as Invitation).reject();
    else void (s as Inviter).cancel();
  };

  const registered = status === 'registered';
  return (
    <section class="phone">
      <form
        class="phone-login"
        onSubmit={(e) => {
          e.preventDefault();
          void (registered ? unregister() : register());
        }}
      >
        <label>
          SIP username <input name="sip-username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} disabled={registered} required />
        </label>
        <label>
          SIP password <input name="sip-password" type="password" autocomplete="off" value={password} onInput={(e) => setPassword(e.currentTarget.value)} disabled={registered} required />
        </label>
        <button type="submit">{registered ? 'Unregister' : 'Register'}</button>
        <span class={`phone-status ${registered ? 'good' : ''}`}>{status}</span>
      </form>
      <p class="muted">Server: {sipServer()}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {registered && (
        <div class="dialer">
          <input name="target" placeholder="extension or +E.164" value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
          <button type="button" class="primary" onClick={dial} disabled={!!call}>
            Call
          </button>
        </div>
      )}
      {call && (
        <div class="phone-call">
          <span class="peer">{call.peer}</span> <span class="call-state">{call.state}</span>
          {call.incoming && call.state === 'ringing' && (
            <button type="button" class="primary" onClick={answer}>
              Answer
            </button>
          )}
          <button type="button" class="danger" onClick={hangup}>
            Hang up
          </button>
        </div>
      )}
      <audio ref={audio} autoplay />
    </section>
  );
}
