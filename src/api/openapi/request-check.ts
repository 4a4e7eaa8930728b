/**
 * Checks a request against the OpenAPI document, as a client generated from it would be checked: the
 * operation exists (method + path template), its path and query parameters and its body match their
 * schemas. Used by the tests that hold the documentation's examples and the REST tests' own requests to the
 * document (docs/api-reference.md, "What the tests prove"). Pure: give it the document, ask it of requests.
 *
 * Bodies are checked as the document states them, without coercion — except in the voice-API family, whose
 * provider takes booleans and numbers as strings and enum values in any case (voice/voice-validation.ts,
 * spec bandwidth §0): there the checker applies that same leniency, as the server does. Path and query
 * values are text, read as the type their schema names.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { canonicalizeVoiceValues } from '../voice/voice-validation.js';

// ajv-formats is CommonJS; under NodeNext its plugin function is the namespace's `default`.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

const DOC_ID = 'ringside-openapi';

export interface DocumentedRequest {
  method: string;
  /** Path and optional query string: `/v1/users/u-demo/calls?page=0`. */
  url: string;
  /** The parsed body (JSON value, or form fields as an object of strings). */
  body?: unknown;
  /** Defaults to `application/json` when there is a body. */
  contentType?: string;
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: object;
}

interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: object }> };
}

interface Route {
  template: string;
  pattern: RegExp;
  /** Literal characters: the router prefers the most specific template (`/media/tr-{rest}` over `/media/{name}`). */
  literal: number;
  pointer: string;
  item: Record<string, Operation>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pointerPart = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export class OpenApiRequestChecker {
  readonly #routes: Route[];
  readonly #strict: Ajv;
  readonly #lenient: Ajv;
  readonly #text: Ajv;
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #lenientPath: (template: string) => boolean;

  constructor(document: object, options: { lenientBodies?: (template: string) => boolean } = {}) {
    const doc = document as { paths?: Record<string, Record<string, Operation>> };
    this.#lenientPath = options.lenientBodies ?? ((t) => t.startsWith('/v1/users/'));
    const ajv = (coerceTypes: boolean) => {
      const a = addFormats(new Ajv({ strict: false, allErrors: true, coerceTypes, validateSchema: false }));
      a.addSchema({ ...document, $id: DOC_ID });
      return a;
    };
    this.#strict = ajv(false);
    this.#lenient = ajv(true);
    this.#text = this.#lenient;
    this.#routes = Object.entries(doc.paths ?? {}).map(([template, item]) => ({
      template,
      pattern: new RegExp(`^${template.split(/(\{[^}]+\})/).map((part) => (part.startsWith('{') ? '([^/]+)' : escape(part))).join('')}/?$`),
      literal: template.replace(/\{[^}]+\}/g, '').length,
      pointer: `#/paths/${pointerPart(template)}`,
      item,
    }));
  }

  /** The operation a request would reach, or undefined. */
  operation(method: string, path: string): { template: string; operation: Operation } | undefined {
    const found = this.#match(method, path);
    return found && { template: found.route.template, operation: found.operation };
  }

  /** What is wrong with the request by the document; empty when nothing is. */
  problems(request: DocumentedRequest): string[] {
    const [path = '', query = ''] = request.url.split('?', 2);
    const method = request.method.toLowerCase();
    const where = `${request.method} ${path}`;
    const found = this.#match(method, path);
    if (!found) return [`${where}: no such operation in the document`];
    const { route, operation, values } = found;
    const base = `${route.pointer}/${method}`;
    const problems: string[] = [];
    const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const parameters = operation.parameters ?? [];
    for (const [i, p] of parameters.entries()) {
      if (p.in === 'path') {
        const at = names.indexOf(p.name);
        if (at < 0) problems.push(`${where}: path parameter ${p.name} is not in ${route.template}`);
        else problems.push(...this.#check(this.#text, `${base}/parameters/${i}/schema`, decodeURIComponent(values[at]!), `${where}: path ${p.name}`));
      }
    }
    const given = new URLSearchParams(query);
    for (const [i, p] of parameters.entries()) {
      if (p.in !== 'query') continue;
      const value = given.get(p.name);
      if (value === null) {
        if (p.required) problems.push(`${where}: query parameter ${p.name} is required`);
      } else {
        // The voice family takes enum values in any case in the query too (voice-validation.ts).
        const values = this.#lenientPath(route.template) ? (this.#resolve(p.schema ?? {}) as { enum?: unknown[] }).enum : undefined;
        const canonical = values?.find((v) => typeof v === 'string' && v.toLowerCase() === value.toLowerCase()) ?? value;
        problems.push(...this.#check(this.#text, `${base}/parameters/${i}/schema`, canonical, `${where}: query ${p.name}`));
      }
    }
    if (request.body !== undefined) {
      const content = operation.requestBody?.content;
      const type = (request.contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
      if (!content) problems.push(`${where}: the document describes no request body`);
      else if (!content[type]) problems.push(`${where}: the document takes ${Object.keys(content).join(', ')}, not ${type}`);
      else {
        const lenient = this.#lenientPath(route.template);
        const body = lenient ? structuredClone(request.body) : request.body;
        const schema = content[type]!.schema;
        if (lenient && schema) canonicalizeVoiceValues(this.#resolve(schema), body);
        problems.push(...this.#check(lenient ? this.#lenient : this.#strict, `${base}/requestBody/content/${pointerPart(type)}/schema`, body, `${where}: body`));
      }
    } else if (operation.requestBody?.required) {
      problems.push(`${where}: the document requires a body`);
    }
    return problems;
  }

  #match(method: string, path: string) {
    const candidates = this.#routes
      .map((route) => ({ route, values: route.pattern.exec(path), operation: route.item[method.toLowerCase()] }))
      .filter((c) => c.values && c.operation)
      .sort((a, b) => b.route.literal - a.route.literal);
    const best = candidates[0];
    return best && { route: best.route, operation: best.operation!, values: best.values!.slice(1) };
  }

  #check(ajv: Ajv, pointer: string, value: unknown, where: string): string[] {
    const key = `${ajv === this.#strict ? 's' : 'l'}${pointer}`;
    let validate = this.#compiled.get(key);
    if (!validate) this.#compiled.set(key, (validate = ajv.compile({ $ref: `${DOC_ID}${pointer}` })));
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`);
  }

  /** A schema with its top-level `$ref` to `components.schemas` followed, for the voice leniency. */
  #resolve(schema: object): object {
    const ref = (schema as { $ref?: string }).$ref;
    if (!ref?.startsWith('#/')) return schema;
    const found = this.#strict.getSchema(`${DOC_ID}${ref}`);
    return (found?.schema as object | undefined) ?? schema;
  }
}
