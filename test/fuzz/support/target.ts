/**
 * What every fuzz target is and counts. A target sends inputs until a deadline and counts each answer by
 * class (`1xx`…`5xx` for SIP and HTTP statuses; `ok`/`error`/`closed`/`none` for socket targets); anything
 * that breaks a rule of the campaign (docs/fuzzing.md) is a `Finding` with the input that caused it.
 */
export interface Finding {
  target: string;
  /** What rule broke: `5xx`, `unstructured-error`, `hang`, `exception`, `internal-error-frame`, … */
  kind: string;
  /** The answer or error, short. */
  detail: string;
  /** The input (truncated, JSON-escaped) and its index in the target's stream, for the replay. */
  input: string;
  index: number;
}

export class TargetStats {
  sent = 0;
  readonly responses = new Map<string, number>();
  readonly findings: Finding[] = [];
  /** Distinct findings are kept (kind + detail); repeats are only counted. */
  readonly #seen = new Map<string, number>();

  constructor(readonly name: string) {}

  count(cls: string, n = 1): void {
    this.responses.set(cls, (this.responses.get(cls) ?? 0) + n);
  }

  find(kind: string, detail: string, input: string, index: number): void {
    const d = detail.slice(0, 300);
    const key = `${kind}|${d}`;
    const n = this.#seen.get(key) ?? 0;
    this.#seen.set(key, n + 1);
    if (n === 0 && this.findings.length < 50) this.findings.push({ target: this.name, kind, detail: d, input: JSON.stringify(input.slice(0, 600)), index });
  }

  /** How often each distinct finding happened. */
  repeats(f: Finding): number {
    return this.#seen.get(`${f.kind}|${f.detail}`) ?? 1;
  }

  get findingCount(): number {
    let n = 0;
    for (const v of this.#seen.values()) n += v;
    return n;
  }
}

export interface FuzzTarget {
  readonly stats: TargetStats;
  /** Sends inputs until `deadline()` (ms since epoch, re-read: a crash brings it forward). */
  run(deadline: () => number): Promise<void>;
}

/** Status code → `2xx` etc. */
export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
