/**
 * The REST examples of the documentation are requests the OpenAPI document accepts (docs/api-reference.md,
 * "Examples in these docs"). An example is a request line in a fenced block marked `http`:
 *
 *   ```http
 *   POST /v1/users/u-demo/calls
 *   {"from":"+15550104","to":"+15557654321"}        ← the body: the lines up to a blank line or a status line
 *
 *   201 Created                                       ← the answer: its status must be one the operation has
 *   ```
 *
 * or on one line, `POST /path {"json":"body"} → 200 …` / `→ POST /path a=1&b=2` (a form body) /
 * `GET /path → 200 …`. Every request line of every `http` block in docs/*.md and README.md is checked:
 * the operation exists, its path and query values and its body match the document's schemas, and the
 * status the example shows is one the document describes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiChecker } from '../../src/api/openapi/documented-requests.js';
import type { DocumentedRequest } from '../../src/api/openapi/request-check.js';

const REQUEST = /^(?:→\s*)?(GET|POST|PUT|DELETE|PATCH)\s+(\/\S*)\s*(.*)$/;
const STATUS = /^(?:[←→]\s*)?(\d{3})\b/;

interface HttpExample extends DocumentedRequest {
  /** `docs/voice-api.md:136` */
  where: string;
  /** The status the example shows, when it shows one. */
  status?: number;
}

/** Every request of every `http` block of a Markdown text. */
function httpExamples(markdown: string, file: string): HttpExample[] {
  const lines = markdown.split('\n');
  const examples: HttpExample[] = [];
  let inBlock = false;
  let current: HttpExample | undefined;
  let body: string[] = [];
  /** The body lines so far are the current request's body. */
  const flush = () => {
    if (current && body.length) Object.assign(current, parseBody(body.join('\n'), current.where));
    body = [];
  };
  const finish = () => {
    flush();
    current = undefined;
  };
  for (const [i, raw] of lines.entries()) {
    // Blocks may be indented (inside a list item).
    const line = raw.trim();
    if (line.startsWith('```')) {
      if (inBlock) finish();
      inBlock = !inBlock && line === '```http';
      continue;
    }
    if (!inBlock) continue;
    const request = REQUEST.exec(line);
    const status = STATUS.exec(line.trim());
    if (request) {
      finish();
      const [, method, url, rest = ''] = request;
      current = { where: `${file}:${i + 1}`, method: method!, url: url! };
      examples.push(current);
      // `{…} → 200 …`: what follows the arrow is the answer.
      const arrow = rest.search(/(^|\s)→\s/);
      const [sent, answer] = arrow < 0 ? [rest, undefined] : [rest.slice(0, arrow), rest.slice(arrow).replace(/^\s*→\s*/, '')];
      if (answer !== undefined) setStatus(current, answer);
      const given = sent.trim();
      if (given.startsWith('{') || given.startsWith('[') || /^[\w.[\]-]+=/.test(given)) Object.assign(current, parseBody(given, current.where));
      else if (answer !== undefined) current = undefined; // one line, no body: nothing follows
      else if (given !== '' && !given.startsWith('(')) assert.fail(`${current.where}: cannot read '${given}' as a body`);
    } else if (status && current) {
      flush();
      setStatus(current, line.trim());
      current = undefined;
    } else if (line.trim() === '') {
      flush();
    } else if (current && current.body === undefined && current.status === undefined) {
      body.push(line);
    }
  }
  return examples;
}

function setStatus(example: HttpExample, answer: string): void {
  const m = STATUS.exec(answer.trim());
  if (m) example.status = Number(m[1]);
}

function parseBody(text: string, where: string): Pick<DocumentedRequest, 'body' | 'contentType'> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { body: JSON.parse(trimmed) as unknown, contentType: 'application/json' };
    } catch (err) {
      assert.fail(`${where}: the example's body is not JSON (${(err as Error).message}): ${trimmed}`);
    }
  }
  return { body: Object.fromEntries(new URLSearchParams(trimmed)), contentType: 'application/x-www-form-urlencoded' };
}

function documentationFiles(): string[] {
  return [...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f)), 'README.md'];
}

test('the http-block parser reads one-line, multi-line, form and body-less examples', () => {
  const md = [
    'text',
    '```http',
    'POST /a/b',
    '{"x":1,',
    ' "y":[2]}',
    '',
    '201 Created',
    'Location: http://h/a/b/1',
    '',
    'POST /a/b/1  {"z":true}  → 200, empty body',
    'GET  /a/b?page=0        → 200 [ … ]',
    '→ POST /c   p=1&q=two',
    '← 200 {"success":true}',
    'POST /d      (empty body)',
    '',
    '202 Accepted',
    '```',
    '```',
    'POST /not/checked {"plain": "block"}',
    '```',
  ].join('\n');
  const examples = httpExamples(md, 'x.md').map(({ where: _w, ...e }) => e);
  assert.deepEqual(examples, [
    { method: 'POST', url: '/a/b', body: { x: 1, y: [2] }, contentType: 'application/json', status: 201 },
    { method: 'POST', url: '/a/b/1', body: { z: true }, contentType: 'application/json', status: 200 },
    { method: 'GET', url: '/a/b?page=0', status: 200 },
    { method: 'POST', url: '/c', body: { p: '1', q: 'two' }, contentType: 'application/x-www-form-urlencoded', status: 200 },
    { method: 'POST', url: '/d', status: 202 },
  ]);
});

test('every REST example in the documentation is a request the OpenAPI document accepts, answered with a status it describes', async () => {
  const checker = await apiChecker();
  const examples = documentationFiles().flatMap((file) => httpExamples(readFileSync(file, 'utf8'), file));
  const problems: string[] = [];
  for (const e of examples) {
    problems.push(...checker.problems(e).map((p) => `${e.where}: ${p}`));
    if (e.status === undefined) continue;
    const found = checker.operation(e.method, e.url.split('?')[0]!);
    const responses = Object.keys((found?.operation as { responses?: object } | undefined)?.responses ?? {});
    if (found && !responses.includes(String(e.status)) && !responses.includes(`${String(e.status)[0]}XX`)) problems.push(`${e.where}: ${e.method} ${found.template} does not describe a ${e.status} answer (${responses.join(', ')})`);
  }
  assert.deepEqual(problems, []);
  // The examples the documentation marks: every family that has REST examples, and bodies among them.
  const families = new Set(examples.map((e) => e.url.split('/')[1]));
  for (const f of ['v1', 'voice', 'webhooks', 'auth', 'sms', 'carrier']) assert.ok(families.has(f), `docs have /${f} examples`);
  const withBodies = examples.filter((e) => e.body !== undefined).length;
  assert.ok(examples.length >= 60 && withBodies >= 30, `${examples.length} examples, ${withBodies} with bodies`);
});
