/**
 * The wallboard: calls per minute (answered and missed), average wait, and the same per line and per user,
 * as uPlot charts. The figures come from the reports (a call's entry is written when it ends); live events
 * re-read them (at most every 2 s), and the number of calls in progress comes from `/console/calls`.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { get } from '../api/client';
import type { LiveCall, ReportEntry } from '../api/types';
import { Chart } from '../components/chart';
import { ErrorBox } from '../components/error-box';
import { today } from '../components/format';
import { useAsync } from '../components/use-async';
import { useInterval, useLiveEvents } from '../components/use-live-events';
import { perLine, perMinute, perUser, type GroupFigures } from '../components/wallboard-metrics';

const GREEN = '#2e9d5b';
const RED = '#d64545';
const BLUE = '#3b6fd6';

const bars = uPlot.paths.bars!({ size: [0.6, 48], gap: 2 });

function groupChart(groups: GroupFigures[]): { key: string; options: Omit<uPlot.Options, 'width' | 'height' | 'title'>; data: uPlot.AlignedData } {
  const labels = groups.map((g) => g.label);
  return {
    // The axis labels are in the options, which a chart keeps: new labels make a new chart.
    key: labels.join('\n'),
    options: {
      scales: { x: { time: false, range: [-0.5, Math.max(groups.length, 1) - 0.5] } },
      axes: [{ values: (_u, ticks) => ticks.map((t) => labels[t] ?? ''), splits: () => groups.map((_g, i) => i) }, {}],
      series: [
        { label: '' },
        { label: 'answered', fill: GREEN, stroke: GREEN, paths: bars },
        { label: 'missed', fill: RED, stroke: RED, paths: bars },
      ],
    },
    data: [groups.map((_g, i) => i), groups.map((g) => g.answered), groups.map((g) => g.missed)],
  };
}

export function Wallboard() {
  const [entries, setEntries] = useState<ReportEntry[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastRefresh = useRef(0);
  const users = useAsync(() => get<{ users: { id: number; name: string }[] }>('/provisioning/users').catch(() => ({ users: [] })));
  const names = useMemo(() => new Map((users.value?.users ?? []).map((u) => [u.id, u.name])), [users.value]);

  const refresh = useCallback(() => {
    pending.current = undefined;
    lastRefresh.current = Date.now();
    setNow(Date.now());
    get<{ data: ReportEntry[] }>(`/reports/call-data?start_date=${today(-1)}&end_date=${today()}`).then((r) => {
      setEntries(r.data);
      setError(null);
    }, setError);
    get<{ calls: LiveCall[] }>('/console/calls').then((r) => setLive(r.calls.length), () => setLive(null));
  }, []);
  // After an event, re-read 300 ms later (its call's entry is written as it ends), but at most every 2 s:
  // a busy account's stream of events must neither postpone the update forever nor read the reports per event.
  const soon = useCallback(() => {
    if (pending.current !== undefined) return;
    const wait = Math.max(300, 2000 - (Date.now() - lastRefresh.current));
    pending.current = setTimeout(refresh, wait);
  }, [refresh]);
  useEffect(() => () => clearTimeout(pending.current), []);

  useEffect(refresh, [refresh]);
  useLiveEvents(soon);
  useInterval(refresh, 30_000);

  const minutes = useMemo(() => perMinute(entries, now), [entries, now]);
  const lines = useMemo(() => groupChart(perLine(entries)), [entries]);
  const people = useMemo(() => groupChart(perUser(entries, names)), [entries, names]);
  const total = minutes.answered.reduce((a, b) => a + b, 0) + minutes.missed.reduce((a, b) => a + b, 0);
  const waits = minutes.avgWait.filter((w): w is number => w !== null);

  return (
    <section class="wallboard">
      <ErrorBox error={error} />
      <div class="tiles">
        <div class="tile">
          <span class="tile-value" data-tile="live">{live ?? '–'}</span>
          <span class="tile-label">calls now</span>
        </div>
        <div class="tile">
          <span class="tile-value">{total}</span>
          <span class="tile-label">calls, last hour</span>
        </div>
        <div class="tile">
          <span class="tile-value">{minutes.missed.reduce((a, b) => a + b, 0)}</span>
          <span class="tile-label">missed, last hour</span>
        </div>
        <div class="tile">
          <span class="tile-value">{waits.length ? `${(waits.reduce((a, b) => a + b, 0) / waits.length).toFixed(1)} s` : '–'}</span>
          <span class="tile-label">average wait</span>
        </div>
      </div>
      <div class="charts">
        <Chart
          title="Calls per minute"
          options={{
            series: [{}, { label: 'answered', stroke: GREEN, fill: 'rgba(46,157,91,0.25)', width: 2 }, { label: 'missed', stroke: RED, fill: 'rgba(214,69,69,0.2)', width: 2 }],
            scales: { y: { range: (_u, _min, max) => [0, Math.max(3, max)] } },
          }}
          data={[minutes.minutes, minutes.answered, minutes.missed]}
        />
        <Chart
          title="Average wait (s)"
          options={{ series: [{}, { label: 'wait', stroke: BLUE, width: 2, spanGaps: true, points: { show: true } }], scales: { y: { range: (_u, _min, max) => [0, Math.max(5, max)] } } }}
          data={[minutes.minutes, minutes.avgWait]}
        />
        <Chart key={lines.key} title="Per line (today)" options={lines.options} data={lines.data} />
        <Chart key={people.key} title="Per user (today)" options={people.options} data={people.data} />
      </div>
    </section>
  );
}
