/** Timestamp formats the dialects use on the wire. */

/** Realtime (spec realtime §4.1): ISO 8601 with offset, seconds precision: `2022-10-22T03:54:05+00:00`. */
export function isoSecondsOffset(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + '+00:00';
}

/** Teltel (§2.1 [PROP]) and voice API (§2.1 Proposed): UTC with milliseconds, `2024-05-14T09:21:07.120Z`. */
export function isoMillisZ(ms: number): string {
  return new Date(ms).toISOString();
}
