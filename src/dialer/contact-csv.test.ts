/**
 * Contact-list CSV (docs/call-centre.md, "Autodialer: campaigns and contacts"): RFC 4180 parsing, the
 * per-row report, duplicates within the file and against the campaign, and whole-file refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTACT_LIMITS, parseContactCsv, parseCsvRecords } from './contact-csv.js';

test('RFC 4180: quotes, escaped quotes, newlines inside quotes, CRLF and LF, BOM, no final newline', () => {
  const r = parseCsvRecords('\ufeffa,b\r\n"x, y","say ""hi"""\n"two\r\nlines",z');
  assert.deepEqual(r, { records: [{ row: 1, fields: ['a', 'b'] }, { row: 2, fields: ['x, y', 'say "hi"'] }, { row: 3, fields: ['two\r\nlines', 'z'] }] });
  assert.deepEqual(parseCsvRecords('a,,\n'), { records: [{ row: 1, fields: ['a', '', ''] }] });
  assert.deepEqual(parseCsvRecords('"a\nb"\nc\n'), { records: [{ row: 1, fields: ['a\nb'] }, { row: 3, fields: ['c'] }] }, 'rows count lines, as a spreadsheet');
});

test('broken quoting refuses the whole file, naming the row', () => {
  assert.deepEqual(parseCsvRecords('a\n"open'), { error: 'row 2: a quoted field is never closed' });
  assert.deepEqual(parseCsvRecords('a\n"x"y'), { error: 'row 2: text after a closing quote' });
  assert.deepEqual(parseCsvRecords('a\nx"y'), { error: 'row 2: a quote inside an unquoted field' });
  const r = parseContactCsv('phone_number\n"+15551230000');
  assert.equal(r.ok, false);
});

test('contacts: phone_number normalised, name, other columns as fields; bad rows reported, good ones kept', () => {
  const csv = [
    'phone_number,name,company,notes',
    '+1 (555) 123-0001,Ann,Acme,',
    '5551230002,"Lee, Bo",,"VIP ""gold"""',
    'not-a-number,Cy,X,',
    ',Dee,Y,',
    '+15551230003,Eve',
    '',
    '15551230002,Fay,Z,',
    '+15551230009,Gus,Q,',
  ].join('\r\n');
  const r = parseContactCsv(csv, ['+15551230009']);
  assert.ok(r.ok);
  assert.deepEqual(r.accepted, [
    { row: 2, contact: { phoneNumber: '+15551230001', name: 'Ann', fields: { company: 'Acme' } } },
    { row: 3, contact: { phoneNumber: '+15551230002', name: 'Lee, Bo', fields: { notes: 'VIP "gold"' } } },
  ]);
  assert.deepEqual(r.rejected, [
    { row: 4, column: 'phone_number', problem: 'not an E.164 number' },
    { row: 5, column: 'phone_number', problem: 'empty' },
    { row: 6, problem: 'has 2 fields; the header has 4' },
    { row: 8, column: 'phone_number', problem: '+15551230002 repeats row 3' },
    { row: 9, column: 'phone_number', problem: '+15551230009 is already a contact of the campaign' },
  ]);
});

test('header problems and size limits refuse the whole file with a clear message', () => {
  assert.deepEqual(parseContactCsv(''), { ok: false, reason: 'bad_csv', message: 'the file is empty: a header row with phone_number is required' });
  assert.deepEqual(parseContactCsv('name,phone\nA,+15551230001'), { ok: false, reason: 'bad_csv', message: 'the header row has no phone_number column (it has "name", "phone")' });
  assert.deepEqual(parseContactCsv('phone_number,x,x\n'), { ok: false, reason: 'bad_csv', message: 'the header row names column "x" twice' });
  assert.deepEqual(parseContactCsv('phone_number,\n'), { ok: false, reason: 'bad_csv', message: 'header column 2 has no name' });
  const rows = 'phone_number\n' + Array.from({ length: 4 }, (_, k) => `+1555123000${k}`).join('\n');
  assert.deepEqual(parseContactCsv(rows, [], { maxBytes: 1000, maxRows: 3 }), { ok: false, reason: 'too_large', message: 'the file has 4 rows; at most 3 are allowed' });
  assert.deepEqual(parseContactCsv(rows, [], { maxBytes: 20, maxRows: 10 }), { ok: false, reason: 'too_large', message: 'the file is larger than 20 bytes' });
});

test('a column named __proto__ is a field like any other', () => {
  const r = parseContactCsv('phone_number,__proto__\n+15551230001,x');
  assert.ok(r.ok);
  const fields = r.accepted[0]!.contact.fields!;
  assert.equal(Object.getPrototypeOf(fields), Object.prototype);
  assert.equal(JSON.stringify(fields), '{"__proto__":"x"}');
});

test('the limits of one contact, as the JSON route has them: long cells refuse the row, too many columns the file', () => {
  const r = parseContactCsv(`phone_number,name,note\n+15551230001,${'n'.repeat(201)},x\n+15551230002,Bo,${'x'.repeat(2001)}\n+15551230003,Cy,${'x'.repeat(2000)}\n`);
  assert.ok(r.ok);
  assert.deepEqual(r.rejected, [
    { row: 2, column: 'name', problem: 'longer than 200 characters' },
    { row: 3, column: 'note', problem: 'longer than 2000 characters' },
  ]);
  assert.deepEqual(r.accepted.map((a) => a.row), [4]);
  const wide = ['phone_number', 'name', ...Array.from({ length: CONTACT_LIMITS.maxFields + 1 }, (_, k) => `f${k}`)].join(',');
  const refused = parseContactCsv(`${wide}\n`);
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.message, /103 columns; at most 102/);
});
