/**
 * Live calls (contract B, `GET /console/calls`): every active session with its legs, state and durations.
 * Refreshed on every live event (so a call shows within a second of its INVITE and goes at its BYE) and
 * every 3 s besides. Managers and admins can hang up or transfer.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from '../api/client';
import type { LiveCall, LiveLeg } from '../api/types';
import { ErrorBox } from '../components/error-box';
import { duration } from '../components/format';
import { useInterval, useLiveEvents } from '../components/use-live-events';
import type { ScreenProps } from '../screens';

function party(l: LiveLeg): string {
  return l.name ? `${l.name} (${l.number})` : l.number;
}

export function LiveCalls({ elevated }: ScreenProps) {
  const [calls, setCalls] = useState<LiveCall[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [now, setNow] = useState(Date.now());
  const inFlight = useRef(false);
  const again = useRef(false);

  // One request at a time; an event during a request asks for one more right after it.
  const refresh = useCallback(() => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    get<{ calls: LiveCall[] }>('/console/calls')
      .then((r) => {
        setCalls(r.calls);
        setError(null);
      }, setError)
      .finally(() => {
        inFlight.current = false;
        if (again.current) {
          again.current = false;
          refresh();
        }
      });
  }, []);

  useEffect(refresh, [refresh]);
  useLiveEvents(refresh);
  useInterval(refresh, 3000);
  useInterval(() => setNow(Date.now()), 1000);

  return (
    <section>
      <ErrorBox error={error} />
      {calls === null ? (
        <p class="loading">Loading…</p>
      ) : calls.length === 0 ? (
        <p class="empty">No calls right now.</p>
      ) : (
        <table class="calls">
          <thead>
            <tr>
              <th>Direction</th>
              <th>From</th>
              <th>To</th>
              <th>Line</th>
              <th>State</th>
              <th>Duration</th>
              <th>Legs</th>
              {elevated && <th />}
            </tr>
          </thead>
          <tbody>
            {calls.map((c) => (
              <CallRow key={c.sessionId} call={c} now={now} elevated={elevated} onChange={refresh} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CallRow({ call: c, now, elevated, onChange }: { call: LiveCall; now: number; elevated: boolean; onChange(): void }) {
  const [error, setError] = useState<unknown>(null);
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const act = (p: Promise<unknown>) => {
    setBusy(true);
    p.then(() => setError(null), setError).finally(() => {
      setBusy(false);
      onChange();
    });
  };
  const path = `/console/calls/${encodeURIComponent(c.sessionId)}`;
  return (
    <tr class={`call state-${c.state}`} data-session-id={c.sessionId}>
      <td>{c.direction}</td>
      <td class="from">{c.from}</td>
      <td class="to">{c.to}</td>
      <td>{c.lineName ?? c.lineId ?? ''}</td>
      <td class="state">{c.state}</td>
      <td class="duration" title={c.answeredAt ? `talking ${duration(now - c.answeredAt)}` : 'not answered yet'}>
        {duration(now - c.startedAt)}
      </td>
      <td>
        <ul class="legs">
          {c.legs.map((l) => (
            <li key={l.legId} class={`leg leg-${l.state}`}>
              <span class="leg-role">{l.role}</span> <span class="leg-party">{party(l)}</span> <span class="leg-state">{l.state}</span>
              {l.answeredAt ? <span class="leg-time"> {duration(now - l.answeredAt)}</span> : null}
            </li>
          ))}
        </ul>
      </td>
      {elevated && (
        <td class="actions">
          <button type="button" class="hangup danger" disabled={busy} onClick={() => act(post(`${path}/hangup`, {}))}>
            Hang up
          </button>
          <form
            class="transfer"
            onSubmit={(e) => {
              e.preventDefault();
              if (target.trim()) act(post(`${path}/transfer`, { to: target.trim() }));
            }}
          >
            <input placeholder="ext. or +E.164" value={target} onInput={(e) => setTarget(e.currentTarget.value)} size={12} />
            <button type="submit" disabled={busy || !target.trim()}>
              Transfer
            </button>
          </form>
          <ErrorBox error={error} />
        </td>
      )}
    </tr>
  );
}
