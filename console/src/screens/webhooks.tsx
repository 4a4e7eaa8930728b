/**
 * Webhook subscriptions (`/webhooks`, src/api/admin/webhook-routes.ts) with their delivery status — a test
 * delivery (`ping`) and the dead letters waiting for each — and the dead letters themselves, replayed or
 * discarded one by one or all at once (`/webhooks/dead-letters`, dead-letter-routes.ts).
 */
import { useState } from 'preact/hooks';
import { get, post, request } from '../api/client';
import type { DeadLetter, Webhook } from '../api/types';
import { ErrorBox } from '../components/error-box';
import { time } from '../components/format';
import { useAsync } from '../components/use-async';

interface Ping {
  delivered: boolean;
  primary: { url: string; ok: boolean; status?: number; durationMs: number; error?: string };
  fallback?: { url: string; ok: boolean; status?: number; durationMs: number; error?: string };
}

function pingText(p: Ping): string {
  const one = (a: Ping['primary']) => `${a.ok ? 'ok' : 'failed'} ${a.status ?? ''} ${a.error ?? ''} (${a.durationMs} ms)`.replace(/\s+/g, ' ');
  return `${p.delivered ? 'delivered' : 'not delivered'}: primary ${one(p.primary)}${p.fallback ? `; fallback ${one(p.fallback)}` : ''}`;
}

export function Webhooks() {
  const hooks = useAsync(() => get<{ webhooks: Webhook[] }>('/webhooks'));
  const dead = useAsync(() => get<{ deadLetters: DeadLetter[]; more: boolean }>('/webhooks/dead-letters?limit=200'));
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pings, setPings] = useState<Record<string, string>>({});
  const [form, setForm] = useState({ url: '', dialect: 'realtime', method: 'POST', events: '', secret: '' });

  const act = (p: Promise<unknown>, done: string) =>
    p.then(
      () => {
        setError(null);
        setNotice(done);
        hooks.reload();
        dead.reload();
      },
      (e: unknown) => setError(e),
    );

  const letters = dead.value?.deadLetters ?? [];
  const deadCount = (id: string) => letters.filter((d) => d.webhookId === id).length;

  return (
    <section class="webhooks">
      <ErrorBox error={error ?? hooks.error ?? dead.error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <h2>Subscriptions</h2>
      <table class="webhook-list">
        <thead>
          <tr>
            <th>Id</th>
            <th>URL</th>
            <th>Dialect</th>
            <th>Events</th>
            <th>Source</th>
            <th>Delivery</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(hooks.value?.webhooks ?? []).map((w) => (
            <tr key={w.id} data-webhook={w.id}>
              <td>{w.id}</td>
              <td>
                {w.method} {w.url}
                {w.fallbackUrl ? <div class="muted">fallback {w.fallbackUrl}</div> : null}
              </td>
              <td>{w.dialect}</td>
              <td>{w.events.length ? w.events.join(', ') : 'all'}</td>
              <td>
                {w.source}
                {w.hasSecret ? ' · signed' : ''}
              </td>
              <td class="delivery">
                <span class={deadCount(w.id) ? 'bad' : 'good'}>{deadCount(w.id) ? `${deadCount(w.id)} dead letters` : 'no dead letters'}</span>
                {pings[w.id] ? <div class="muted">{pings[w.id]}</div> : null}
              </td>
              <td class="actions">
                <button
                  type="button"
                  onClick={() =>
                    post<Ping>(`/webhooks/${encodeURIComponent(w.id)}/ping`).then(
                      (p) => setPings((x) => ({ ...x, [w.id]: pingText(p) })),
                      (e: unknown) => setError(e),
                    )
                  }
                >
                  Test
                </button>
                {w.source === 'api' && (
                  <button type="button" class="danger" onClick={() => void act(request(`/webhooks/${encodeURIComponent(w.id)}`, { method: 'DELETE' }), `Deleted ${w.id}.`)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const body: Record<string, unknown> = { url: form.url, dialect: form.dialect, method: form.method, events: form.events.split(',').map((s) => s.trim()).filter(Boolean) };
          if (form.secret) body.secret = form.secret;
          void act(post('/webhooks', body), 'Subscription created.');
        }}
      >
        <input name="url" placeholder="https://receiver.example/hook" value={form.url} onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} required />
        <select name="dialect" value={form.dialect} onChange={(e) => setForm({ ...form, dialect: e.currentTarget.value })}>
          <option>realtime</option>
          <option>teltel</option>
          <option>bandwidth</option>
        </select>
        <select name="method" value={form.method} onChange={(e) => setForm({ ...form, method: e.currentTarget.value })}>
          <option>POST</option>
          <option>GET</option>
        </select>
        <input name="events" placeholder="events (empty = all)" value={form.events} onInput={(e) => setForm({ ...form, events: e.currentTarget.value })} />
        <input name="secret" type="password" placeholder="secret (optional)" value={form.secret} onInput={(e) => setForm({ ...form, secret: e.currentTarget.value })} />
        <button type="submit">Add subscription</button>
      </form>

      <h2>
        Dead letters{' '}
        <button type="button" disabled={!letters.length} onClick={() => void act(post<{ replayed: number }>('/webhooks/dead-letters/replay'), 'Replayed every dead letter.')}>
          Replay all
        </button>
      </h2>
      {letters.length === 0 ? (
        <p class="empty">No dead letters.</p>
      ) : (
        <table class="dead-letters">
          <thead>
            <tr>
              <th>Id</th>
              <th>Webhook</th>
              <th>Event</th>
              <th>Attempts</th>
              <th>Dead at</th>
              <th>Last error</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {letters.map((d) => (
              <tr key={d.id} data-dead-letter={d.id}>
                <td>{d.id}</td>
                <td>{d.webhookId}</td>
                <td>
                  <details>
                    <summary>
                      {d.event} ({d.dialect}, position {d.position})
                    </summary>
                    <pre>{JSON.stringify(d.payload, null, 2)}</pre>
                  </details>
                </td>
                <td>{d.attempts}</td>
                <td>{time(d.deadAt)}</td>
                <td>
                  {d.lastStatus ?? ''} {d.lastError ?? ''}
                </td>
                <td class="actions">
                  <button type="button" onClick={() => void act(post(`/webhooks/dead-letters/${d.id}/replay`), `Replayed dead letter ${d.id}.`)}>
                    Replay
                  </button>
                  <button type="button" class="danger" onClick={() => void act(request(`/webhooks/dead-letters/${d.id}`, { method: 'DELETE' }), `Discarded dead letter ${d.id}.`)}>
                    Discard
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
