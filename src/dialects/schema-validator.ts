import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { WireEvent } from './dialect.js';

// ajv-formats is CommonJS; under NodeNext its plugin function is the namespace's `default`.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

export type SchemaMap = Readonly<Record<string, object>>;

/** Compiles a dialect's per-event JSON Schemas once and validates wire payloads against them. */
export class WireSchemaValidator {
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(schemas: SchemaMap) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    for (const [name, schema] of Object.entries(schemas)) this.#validators.set(name, ajv.compile(schema));
  }

  has(name: string): boolean {
    return this.#validators.has(name);
  }

  /** Returns a list of problems, empty when the payload is valid. */
  problems(event: Pick<WireEvent, 'name' | 'payload'>): string[] {
    const v = this.#validators.get(event.name);
    if (!v) return [`no schema for event ${event.name}`];
    if (v(event.payload)) return [];
    return (v.errors ?? []).map((e) => `${event.name}${e.instancePath} ${e.message ?? 'invalid'}`);
  }
}
