/**
 * Process gauges read from /proc (Linux): CPU time, RSS, open descriptors and sockets. A process's
 * /proc/PID/stat utime+stime already sums all its threads (Ringside's media worker included); Kamailio is
 * several processes, so its CPU is summed over the process and its descendants.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function statFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime+stime of one process (all its threads), in seconds; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  // After the name: state(0) ppid(1) … utime(11) stime(12).
  return f ? (Number(f[11]) + Number(f[12])) / TICKS : 0;
}

/** Every live descendant of `pid` (children, grandchildren …). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(Number(d));
    if (f) parent.set(Number(d), Number(f[1]));
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) if (pp === p) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** CPU seconds of a process and all its descendants (live ones: take readings while the tree runs). */
export function treeCpuSeconds(pid: number): number {
  return [pid, ...descendants(pid)].reduce((s, p) => s + cpuSeconds(p), 0);
}

/** Resident set size in bytes (VmRSS), 0 when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function socketInodes(file: string): Set<string> {
  const out = new Set<string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[9]) out.add(cols[9]);
    }
  } catch {
    // no such table (no IPv6)
  }
  return out;
}

/** Open descriptors of a process, and how many of them are UDP / TCP sockets (by inode, /proc/net/*). */
export function descriptors(pid: number): { fds: number; udp: number; tcp: number; otherSockets: number } {
  let fds = 0;
  const sockets: string[] = [];
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      fds++;
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) sockets.push(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return { fds: 0, udp: 0, tcp: 0, otherSockets: 0 };
  }
  const udp = new Set([...socketInodes(`/proc/${pid}/net/udp`), ...socketInodes(`/proc/${pid}/net/udp6`)]);
  const tcp = new Set([...socketInodes(`/proc/${pid}/net/tcp`), ...socketInodes(`/proc/${pid}/net/tcp6`)]);
  let u = 0;
  let t = 0;
  for (const s of sockets) {
    if (udp.has(s)) u++;
    else if (tcp.has(s)) t++;
  }
  return { fds, udp: u, tcp: t, otherSockets: sockets.length - u - t };
}

/** Kernel UDP counters (/proc/net/snmp): receive-buffer drops tell a blocked reader. */
export function udpCounters(): { inDatagrams: number; rcvbufErrors: number } {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/).map(Number);
  const get = (n: string) => values[names.indexOf(n)] ?? 0;
  return { inDatagrams: get('InDatagrams'), rcvbufErrors: get('RcvbufErrors') };
}

export const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

/** Datagrams the kernel dropped at the UDP sockets bound to `port` (any address): a full receive buffer. */
export function udpPortDrops(port: number): number {
  let drops = 0;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (local && parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) drops += Number(cols[12] ?? 0);
    }
  }
  return drops;
}
