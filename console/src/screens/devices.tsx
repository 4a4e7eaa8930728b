/** Registered SIP devices (contract B, `GET /console/devices`); a `user` login sees its own. */
import { get } from '../api/client';
import type { Device } from '../api/types';
import { ErrorBox } from '../components/error-box';
import { time } from '../components/format';
import { useAsync } from '../components/use-async';
import { useInterval } from '../components/use-live-events';

export function Devices() {
  const devices = useAsync(() => get<{ devices: Device[] }>('/console/devices'));
  useInterval(devices.reload, 10_000);
  const list = devices.value?.devices ?? [];
  return (
    <section class="devices">
      <div class="toolbar">
        <button type="button" onClick={devices.reload}>
          Refresh
        </button>
      </div>
      <ErrorBox error={devices.error} />
      {devices.value && list.length === 0 ? <p class="empty">No device is registered.</p> : null}
      {list.length > 0 && (
        <table class="device-list">
          <thead>
            <tr>
              <th>User</th>
              <th>Ext.</th>
              <th>AOR</th>
              <th>Contact</th>
              <th>Transport</th>
              <th>From</th>
              <th>User agent</th>
              <th>Expires</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={`${d.aor} ${d.contact}`} data-user-id={d.userId}>
                <td>{d.userName}</td>
                <td>{d.extension ?? ''}</td>
                <td>{d.aor}</td>
                <td class="contact">{d.contact}</td>
                <td>{d.transport}</td>
                <td>{d.source}</td>
                <td>{d.userAgent ?? ''}</td>
                <td>{time(d.expiresAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
