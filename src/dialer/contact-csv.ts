/**
 * A campaign's contact list as CSV (docs/call-centre.md, "Autodialer: campaigns and contacts"): RFC 4180
 * (quoted fields, `""` inside quotes, CRLF or LF, an optional UTF-8 BOM) with a header row. `phone_number`
 * is required, `name` optional, every other column goes to `fields`. Pure: the route feeds it the text
 * and the numbers the campaign already has; it answers the rows to add and a report of the rows refused.
 * Rows are numbered as a spreadsheet shows them: the header is row 1.
 */
import { toE164 } from '../switch/dial-plan.js';
import type { ContactInput } from './campaign-types.js';
import { CONTACT_FIELD_LIMITS } from '../config/campaign-schema.js';

export const CSV_LIMITS = { maxBytes: 5 * 1024 * 1024, maxRows: 100_000 } as const;
/** What one contact may hold, as JSON or CSV alike (the REST schemas use these too). */
export const CONTACT_LIMITS = CONTACT_FIELD_LIMITS;

export interface RowProblem {
  row: number;
  column?: string;
  problem: string;
}

export interface AcceptedRow {
  row: number;
  contact: ContactInput;
}

export type ContactCsvResult =
  | { ok: true; accepted: AcceptedRow[]; rejected: RowProblem[] }
  /** The file as a whole is unusable (too large, no header, broken quoting): nothing is imported. */
  | { ok: false; reason: 'too_large' | 'bad_csv'; message: string };

/** RFC 4180 records with the row each starts on; an error when a quoted field never ends. */
export function parseCsvRecords(text: string): { records: { row: number; fields: string[] }[] } | { error: string } {
  const records: { row: number; fields: string[] }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let row = 1;
  while (i < text.length) {
    const start = row;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) return { error: `row ${start}: a quoted field is never closed` };
          value += text.slice(i, q);
          row += countNewlines(text, i, q);
          if (text[q + 1] === '"') {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') return { error: `row ${start}: text after a closing quote` };
      } else {
        let j = i;
        while (j < text.length && text[j] !== ',' && text[j] !== '\r' && text[j] !== '\n') j++;
        value = text.slice(i, j);
        if (value.includes('"')) return { error: `row ${start}: a quote inside an unquoted field` };
        i = j;
      }
      fields.push(value);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    row++;
    records.push({ row: start, fields });
  }
  return { records };
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if (text[k] === '\n' || (text[k] === '\r' && text[k + 1] !== '\n')) n++;
  return n;
}

const blank = (fields: string[]): boolean => fields.length === 1 && fields[0]!.trim() === '';

/**
 * The contacts of a CSV text. `existing`: numbers (E.164) the campaign already has; a row repeating one,
 * or an earlier row of the file, is refused.
 */
export function parseContactCsv(text: string, existing: Iterable<string> = [], limits: { maxBytes: number; maxRows: number } = CSV_LIMITS): ContactCsvResult {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) return { ok: false, reason: 'too_large', message: `the file is larger than ${limits.maxBytes} bytes` };
  const parsed = parseCsvRecords(text);
  if ('error' in parsed) return { ok: false, reason: 'bad_csv', message: parsed.error };
  const records = parsed.records.filter((r) => !blank(r.fields));
  const header = records.shift();
  if (!header) return { ok: false, reason: 'bad_csv', message: 'the file is empty: a header row with phone_number is required' };
  const columns = header.fields.map((c) => c.trim());
  const phoneAt = columns.indexOf('phone_number');
  if (phoneAt < 0) return { ok: false, reason: 'bad_csv', message: `the header row has no phone_number column (it has ${columns.map((c) => JSON.stringify(c)).join(', ')})` };
  const emptyAt = columns.indexOf('');
  if (emptyAt >= 0) return { ok: false, reason: 'bad_csv', message: `header column ${emptyAt + 1} has no name` };
  const twice = columns.find((c, k) => columns.indexOf(c) !== k);
  if (twice !== undefined) return { ok: false, reason: 'bad_csv', message: `the header row names column ${JSON.stringify(twice)} twice` };
  if (columns.length > CONTACT_LIMITS.maxFields + 2) return { ok: false, reason: 'bad_csv', message: `the header row has ${columns.length} columns; at most ${CONTACT_LIMITS.maxFields + 2} are allowed (phone_number, name and ${CONTACT_LIMITS.maxFields} fields)` };
  if (records.length > limits.maxRows) return { ok: false, reason: 'too_large', message: `the file has ${records.length} rows; at most ${limits.maxRows} are allowed` };

  const seen = new Map<string, number>();
  for (const n of existing) seen.set(n, 0);
  const accepted: AcceptedRow[] = [];
  const rejected: RowProblem[] = [];
  for (const { row, fields } of records) {
    if (fields.length !== columns.length) {
      rejected.push({ row, problem: `has ${fields.length} fields; the header has ${columns.length}` });
      continue;
    }
    const raw = fields[phoneAt]!.trim();
    const phoneNumber = raw === '' ? undefined : toE164(raw);
    if (phoneNumber === undefined) {
      rejected.push({ row, column: 'phone_number', problem: raw === '' ? 'empty' : 'not an E.164 number' });
      continue;
    }
    const earlier = seen.get(phoneNumber);
    if (earlier !== undefined) {
      rejected.push({ row, column: 'phone_number', problem: earlier === 0 ? `${phoneNumber} is already a contact of the campaign` : `${phoneNumber} repeats row ${earlier}` });
      continue;
    }
    const tooLong = columns.findIndex((c, k) => k !== phoneAt && fields[k]!.trim().length > (c === 'name' ? CONTACT_LIMITS.maxNameLength : CONTACT_LIMITS.maxFieldLength));
    if (tooLong >= 0) {
      const c = columns[tooLong]!;
      rejected.push({ row, column: c, problem: `longer than ${c === 'name' ? CONTACT_LIMITS.maxNameLength : CONTACT_LIMITS.maxFieldLength} characters` });
      continue;
    }
    seen.set(phoneNumber, row);
    const contact: ContactInput = { phoneNumber };
    // fromEntries: a column named __proto__ is an own key, not the prototype.
    const extra: [string, string][] = [];
    columns.forEach((c, k) => {
      const v = fields[k]!.trim();
      if (k === phoneAt || v === '') return;
      if (c === 'name') contact.name = v;
      else extra.push([c, v]);
    });
    if (extra.length > 0) contact.fields = Object.fromEntries(extra);
    accepted.push({ row, contact });
  }
  return { ok: true, accepted, rejected };
}
