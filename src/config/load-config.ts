/**
 * Reads a provisioning file (YAML, or JSON which is YAML too), validates it against the schema, applies
 * defaults and checks cross-references. Any problem throws a ConfigError naming the file, the path in
 * the document, the line, and what is wrong, so `ringside serve` can refuse to start with a precise message.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { LineCounter, isMap, isNode, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { provisioningSchema } from './config-schema.js';
import type { ProvisioningConfig } from './config-types.js';
import { ConfigError } from './config-error.js';
import { crossCheck } from './cross-check.js';

const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validate = ajv.compile(provisioningSchema);

export function loadConfigFile(file: string): ProvisioningConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, '', `cannot read the file: ${(err as Error).message}`);
  }
  return parseConfig(text, file);
}

/** Parses and validates provisioning text; `file` names the source in errors. */
export function parseConfig(text: string, file = '<config>'): ProvisioningConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    throw new ConfigError(file, '', `not valid YAML/JSON: ${e.message.split('\n')[0]}`, pos.line);
  }
  const merged = mergedKeys(doc, lines, file);
  if (merged.length > 0) throw ConfigError.many(merged);
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!validate(data)) {
    const problems = (validate.errors ?? []).filter(notNoise).map((e) => describe(e, doc, lines, file));
    throw ConfigError.many(problems);
  }
  const config = data as unknown as ProvisioningConfig;
  for (const a of config.accounts) a.accountcode ??= a.id;
  const problems = crossCheck(config).map((p) => new ConfigError(file, p.path, p.problem, lineOf(doc, lines, p.path)));
  if (problems.length > 0) throw ConfigError.many(problems);
  return config;
}

// `if`/`anyOf` wrappers repeat what their branches said; a missing password is reported as such, not also
// as a missing `passwordHash` (its alternative, which exported files use).
function notNoise(e: ErrorObject): boolean {
  if (e.keyword === 'required' && /Hash$/.test(String((e.params as { missingProperty?: string }).missingProperty))) return false;
  return e.keyword !== 'if' && e.keyword !== 'anyOf';
}

function describe(e: ErrorObject, doc: Document, lines: LineCounter, file: string): ConfigError {
  let path = e.instancePath;
  let problem = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    path = `${path}/${key}`;
    problem = 'unknown setting (check its spelling and docs/configuration.md)';
  } else if (e.keyword === 'required') {
    problem = `missing required setting '${(e.params as { missingProperty: string }).missingProperty}'`;
  } else if (e.keyword === 'enum') {
    problem = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'pattern' && /\\\+\[1-9\]/.test(String((e.params as { pattern: string }).pattern))) {
    problem = 'must be an E.164 number such as +15550100';
  }
  return new ConfigError(file, path, problem, lineOf(doc, lines, path));
}

/**
 * Keys YAML holds apart but loading merges: `1` (an integer) and `"1"` (a string) are two keys to YAML
 * (`uniqueKeys` lets them be) and one property once loaded, the later silently winning — in a menu's
 * `keys` that rebinds a DTMF key without a word (docs/provisioning.md, "Call flows"). Refused, with the line.
 */
function mergedKeys(doc: Document, lines: LineCounter, file: string): ConfigError[] {
  const problems: ConfigError[] = [];
  const walk = (node: unknown, path: string) => {
    if (isMap(node)) {
      const seen = new Map<string, unknown>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        const at = `${path}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (seen.has(name)) {
          const line = pair.key.range ? lines.linePos(pair.key.range[0]).line : undefined;
          problems.push(new ConfigError(file, at, `the key '${name}' is given twice in this map (${JSON.stringify(seen.get(name))} and ${JSON.stringify(pair.key.value)} are one key once loaded): quote every key`, line));
        } else seen.set(name, pair.key.value);
        walk(pair.value, at);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => walk(item, `${path}/${i}`));
    else if (isPair(node)) walk(node.value, path);
  };
  walk(doc.contents, '');
  return problems;
}

/** The line of the YAML node at a JSON pointer, else of its nearest ancestor. A pointer's `3` is an index
 *  in a list and a key (`3` or `"3"`) in a map. */
function lineOf(doc: Document, lines: LineCounter, pointer: string): number | undefined {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc.contents;
  let line = isNode(node) && node.range ? lines.linePos(node.range[0]).line : undefined;
  for (const part of parts) {
    if (isSeq(node)) node = node.items[Number(part)];
    else if (isMap(node)) node = node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === part)?.value;
    else break;
    if (!isNode(node) || !node.range) break;
    line = lines.linePos(node.range[0]).line;
  }
  return line;
}
