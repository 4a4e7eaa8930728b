/**
 * Call and text history from the reports (`GET /reports/call-data`, docs/realtime-api.md "Reports"):
 * recordings and voicemails play in the page (their URLs are capabilities, docs/compatibility.md), MMS
 * images are shown. A `user` login gets only its own entries: the server filters them.
 */
import { useState } from 'preact/hooks';
import { get } from '../api/client';
import type { ReportEntry } from '../api/types';
import { AuthImage } from '../components/auth-image';
import { ErrorBox } from '../components/error-box';
import { time, today } from '../components/format';
import { useAsync } from '../components/use-async';
import { ownHistory } from '../api/own-history';
import type { ScreenProps } from '../screens';

/** A recording URL as the report gives it, made relative when it points at this same server. */
function playable(url: string): string {
  try {
    const u = new URL(url, location.href);
    return u.origin === location.origin ? u.pathname + u.search : u.href;
  } catch {
    return url;
  }
}

function callerName(e: ReportEntry): string {
  return e.legs?.find((l) => l.role === 'caller')?.name ?? '';
}

export function History({ session, elevated }: ScreenProps) {
  // Reports are account-wide for a user not restricted to own records: such a login reads its events.
  const fromReports = elevated || session.user.ownRecordsOnly;
  const [from, setFrom] = useState(today(-1));
  const [to, setTo] = useState(today());
  const [text, setText] = useState('');
  const report = useAsync(
    async () => (fromReports ? get<{ data: ReportEntry[] }>(`/reports/call-data?start_date=${from}&end_date=${to}`) : { data: (await ownHistory()).filter((e) => e.date.slice(0, 10) >= from && e.date.slice(0, 10) <= to) }),
    [from, to],
  );
  const entries = (report.value?.data ?? [])
    .filter((e) => !text || JSON.stringify(e).toLowerCase().includes(text.toLowerCase()))
    .slice()
    .reverse();

  return (
    <section class="history">
      <div class="toolbar">
        <label>
          From <input type="date" name="from" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To <input type="date" name="to" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
        <input type="search" placeholder="Search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="button" onClick={report.reload}>
          Refresh
        </button>
      </div>
      <ErrorBox error={report.error} />
      {report.loading && !report.value ? <p class="loading">Loading…</p> : null}
      {report.value && entries.length === 0 ? <p class="empty">Nothing in these days.</p> : null}
      {entries.length > 0 && (
        <table class="history-list">
          <thead>
            <tr>
              <th>When</th>
              <th>Type</th>
              <th>From</th>
              <th>To</th>
              <th>Line</th>
              <th>Result</th>
              <th>Media</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.call_id} class={`entry entry-${e.type}`} data-call-id={e.call_id}>
                <td>{time(e.date)}</td>
                <td>
                  {e.type} {e.direction}
                </td>
                <td>
                  {e.from}
                  {callerName(e) ? <span class="caller-name"> {callerName(e)}</span> : null}
                </td>
                <td>{e.to}</td>
                <td>{e.line_name ?? e.line_id ?? ''}</td>
                <td>
                  {e.type === 'voicecall' ? `${e.disposition ?? ''} · ${e.duration ?? 0}s` : `${e.status ?? ''}`}
                  {e.message ? <div class="message">{e.message}</div> : null}
                </td>
                <td class="media">
                  {e.recording_url ? (
                    <div>
                      Recording <audio class="recording" controls preload="metadata" src={playable(e.recording_url)} />
                    </div>
                  ) : null}
                  {e.voicemail_url ? (
                    <div>
                      Voicemail <audio class="voicemail" controls preload="metadata" src={playable(e.voicemail_url)} />
                    </div>
                  ) : null}
                  {(e.components ?? [])
                    .filter((c) => c.contentType.startsWith('image/'))
                    .map((c) => (
                      <AuthImage key={c.filename} src={`/mms/component/${encodeURIComponent(e.call_id)}/${encodeURIComponent(c.filename)}`} alt={c.filename} />
                    ))}
                  {(e.components ?? [])
                    .filter((c) => !c.contentType.startsWith('image/'))
                    .map((c) => (
                      <div key={c.filename} class="attachment">{`${c.filename} (${c.contentType}, ${c.size} bytes)`}</div>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
