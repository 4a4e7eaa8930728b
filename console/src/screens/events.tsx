/**
 * The live event view: the public SSE stream `/events/stream` (docs/webhooks.md, "Event history") in any of
 * the three dialects, filtered by name or text, paused and resumed. What the view has shown and the cursor
 * (the last position shown) live in sessionStorage per dialect, so a reload resumes with `after=<cursor>`:
 * the log's positions are gap-free, so nothing is missed and nothing shown twice.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { DIALECTS, openEventStream, type Dialect, type StreamEvent, type StreamState } from '../api/event-stream';
import { describeError } from '../components/error-box';

const KEEP = 300;

interface Saved {
  cursor?: number;
  events: StreamEvent[];
}

const key = (d: Dialect) => `ringside.events.${d}`;

function load(d: Dialect): Saved {
  try {
    const s = JSON.parse(sessionStorage.getItem(key(d)) ?? '') as Saved;
    return Array.isArray(s.events) ? s : { events: [] };
  } catch {
    return { events: [] };
  }
}

function save(d: Dialect, s: Saved): void {
  try {
    sessionStorage.setItem(key(d), JSON.stringify(s));
  } catch {
    // Storage full: keep only the cursor, which is what resuming needs.
    sessionStorage.setItem(key(d), JSON.stringify({ cursor: s.cursor, events: [] }));
  }
}

/** The few fields that tell events apart at a glance, whatever the dialect. */
function summary(p: unknown): string {
  if (!p || typeof p !== 'object') return String(p);
  const o = p as Record<string, unknown>;
  const pick = ['eventTimestamp', 'timestamp', 'eventType', 'state', 'from', 'to', 'direction', 'callerName', 'disposition', 'trackingId', 'session_id', 'callId'];
  return pick
    .filter((k) => typeof o[k] === 'string' || typeof o[k] === 'number')
    .map((k) => `${k}=${String(o[k])}`)
    .join(' ');
}

export function Events() {
  const [dialect, setDialect] = useState<Dialect>(() => (sessionStorage.getItem('ringside.events.dialect') as Dialect | null) ?? 'realtime');
  const [saved, setSaved] = useState<Saved>(() => load(dialect));
  const [paused, setPaused] = useState(false);
  const [state, setState] = useState<{ s: StreamState; detail?: string }>({ s: 'connecting' });
  const [filter, setFilter] = useState('');

  useEffect(() => {
    sessionStorage.setItem('ringside.events.dialect', dialect);
    const start = load(dialect);
    setSaved(start);
    if (paused) return;
    let current = start;
    return openEventStream({
      dialect,
      after: start.cursor,
      onEvent(e) {
        current = { cursor: e.position, events: [...current.events, e].slice(-KEEP) };
        save(dialect, current);
        setSaved(current);
      },
      onState: (s, detail) => setState(detail === undefined ? { s } : { s, detail }),
    });
  }, [dialect, paused]);

  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    if (!f) return saved.events;
    return saved.events.filter((e) => e.name.toLowerCase().includes(f) || JSON.stringify(e.payload).toLowerCase().includes(f));
  }, [saved, filter]);

  return (
    <section class="events">
      <div class="toolbar">
        <label>
          Dialect{' '}
          <select name="dialect" value={dialect} onChange={(e) => setDialect(e.currentTarget.value as Dialect)}>
            {DIALECTS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <input name="filter" type="search" placeholder="Filter by name or text" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <button type="button" class="pause" onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          onClick={() => {
            const cleared = { ...saved, events: [] };
            save(dialect, cleared);
            setSaved(cleared);
          }}
        >
          Clear
        </button>
        <span class={`stream-state stream-${paused ? 'paused' : state.s}`} title={state.detail ? describeError(state.detail) : ''}>
          {paused ? `paused at ${saved.cursor ?? 'start'}` : state.s}
        </span>
      </div>
      {shown.length === 0 ? (
        <p class="empty">{saved.events.length ? 'No event matches the filter.' : 'Waiting for events…'}</p>
      ) : (
        <table class="event-list">
          <thead>
            <tr>
              <th>#</th>
              <th>Event</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.position} class="event" data-position={e.position}>
                <td class="position">{e.position}</td>
                <td class="name">{e.name}</td>
                <td>
                  <details>
                    <summary>{summary(e.payload)}</summary>
                    <pre>{JSON.stringify(e.payload, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
