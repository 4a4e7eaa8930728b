/**
 * A V8 .cpuprofile (what `node --cpu-prof` writes) summarised: self time per function (name + url:line),
 * from the sample counts, the top N with their share of all samples. `(idle)` is kept so the busy share
 * of the thread can be read off too.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  name: string;
  where: string;
  samples: number;
  percent: number;
}

export function summariseProfile(path: string, top = 25): { entries: ProfileEntry[]; files: ProfileEntry[]; totalSamples: number; idlePercent: number; seconds: number } {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const hits = new Map<number, number>();
  if (p.samples?.length) for (const id of p.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const n of p.nodes) hits.set(n.id, n.hitCount ?? 0);
  const byFn = new Map<string, ProfileEntry>();
  // Self time per source file too: a cost spread over many small functions of one module shows there.
  const byFile = new Map<string, ProfileEntry>();
  let total = 0;
  for (const n of p.nodes) {
    const h = hits.get(n.id) ?? 0;
    if (!h) continue;
    total += h;
    const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/|src\/)/, '$1');
    const where = url ? `${url}:${n.callFrame.lineNumber + 1}` : '';
    const name = n.callFrame.functionName || '(anonymous)';
    const key = `${name} ${where}`;
    const e = byFn.get(key) ?? { name, where, samples: 0, percent: 0 };
    e.samples += h;
    byFn.set(key, e);
    const file = url || name;
    const fe = byFile.get(file) ?? { name: file, where: url, samples: 0, percent: 0 };
    fe.samples += h;
    byFile.set(file, fe);
  }
  const entries = [...byFn.values()].sort((a, b) => b.samples - a.samples);
  const files = [...byFile.values()].sort((a, b) => b.samples - a.samples);
  for (const e of [...entries, ...files]) e.percent = (100 * e.samples) / (total || 1);
  const idle = entries.filter((e) => e.name === '(idle)').reduce((s, e) => s + e.percent, 0);
  return { entries: entries.slice(0, top), files: files.slice(0, 15), totalSamples: total, idlePercent: idle, seconds: (p.endTime - p.startTime) / 1e6 };
}
