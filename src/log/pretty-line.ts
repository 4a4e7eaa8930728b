/**
 * `--log-format pretty`: each pino JSON line as one line a person reads at a terminal —
 * `09:41:18.542 INFO  ringside started  http.port=8080 sip.port=5060`. The JSON line stays the source:
 * the same fields, flattened, in the order pino wrote them. No colour codes, so a copied line pastes clean.
 */
import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, or that the line already shows in front. */
const SKIPPED = new Set(['level', 'time', 'msg', 'pid', 'name', 'hostname', 'v']);

/** One pretty line (without newline) from one JSON log line; a line that is not JSON passes unchanged. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  if (o === null || typeof o !== 'object') return json;
  const time = typeof o.time === 'string' ? o.time.slice(11, 23) : typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : '';
  const level = LEVELS[Number(o.level)] ?? String(o.level ?? '');
  const fields: string[] = [];
  let stack: string | undefined;
  const add = (prefix: string, v: unknown): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (prefix.endsWith('err') && k === 'stack' && typeof x === 'string') stack = x;
        else add(`${prefix}.${k}`, x);
      }
    } else fields.push(`${prefix}=${typeof v === 'string' && !/[\s"=]/.test(v) && v !== '' ? v : JSON.stringify(v)}`);
  };
  for (const [k, v] of Object.entries(o)) if (!SKIPPED.has(k)) add(k, v);
  const head = `${time} ${level} ${typeof o.msg === 'string' ? o.msg : ''}`.trimEnd();
  const line = fields.length > 0 ? `${head}  ${fields.join(' ')}` : head;
  // An error's stack, indented under its line: what a person debugging needs, and still one entry.
  return stack === undefined ? line : `${line}\n    ${stack.split('\n').join('\n    ')}`;
}

/** A pino destination writing pretty lines to `out` (stderr by default). */
export function prettyStream(out: NodeJS.WritableStream = process.stderr): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      pending += chunk.toString();
      let nl: number;
      let text = '';
      while ((nl = pending.indexOf('\n')) >= 0) {
        text += prettyLine(pending.slice(0, nl)) + '\n';
        pending = pending.slice(nl + 1);
      }
      if (text === '') done();
      else out.write(text, () => done());
    },
  });
}
