/**
 * The JSON Schemas of every wire event (dialects/<dialect>/schemas.ts: the ones the golden and property
 * tests validate every projected event against), published beside the OpenAPI document:
 *
 *   GET /schemas/events                          → the index: every dialect, its event names and their URLs
 *   GET /schemas/events/{dialect}/{name}.json    → one event's schema, `$id` = that URL
 *
 * and in the document itself: each as `components.schemas["<dialect>.<name>"]` (draft-07, as written:
 * OpenAPI 3.1 §4.8.24.5 lets a Schema Object name its dialect with `$schema`), and each event as an entry of
 * the top-level `webhooks` object (OpenAPI 3.1 §4.8.1: requests the API sends, which a receiver implements).
 */
import type { DialectName } from '../../dialects/dialect.js';
import { allDialects } from '../../dialects/all-dialects.js';
import { realtimeSchemas } from '../../dialects/realtime/index.js';
import { teltelSchemas } from '../../dialects/teltel/index.js';
import { bandwidthSchemas } from '../../dialects/bandwidth/index.js';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export const EVENT_SCHEMAS_PATH = '/schemas/events';

const SCHEMAS: Record<DialectName, Record<string, object>> = { realtime: realtimeSchemas, teltel: teltelSchemas, bandwidth: bandwidthSchemas };

/** How each dialect reaches its receivers, and the tag its `webhooks` entries carry. */
export const EVENT_DIALECTS: Record<DialectName, { tag: string; description: string }> = {
  realtime: {
    tag: 'realtime events',
    description: 'RealTime events (spec realtime §4; docs/realtime-api.md): delivered over the WebSocket API at `/` (user and account streams, as `userevent` / `accountevent` frames) and, to a subscription with `dialect: realtime`, by webhook.',
  },
  teltel: {
    tag: 'call-centre webhooks',
    description: "Call-centre events (spec teltel; docs/webhooks.md): POSTed to the account's webhook URLs (subscriptions: `/webhooks` or the configuration file), with `X-TelTel-*` headers beside `X-Ringside-*`. Its one REST endpoint, the callback API (spec teltel §7), is under the `call-centre` tag.",
  },
  bandwidth: {
    tag: 'voice callbacks',
    description: "Voice-API callbacks (spec bandwidth §2; docs/voice-api.md): sent to the application's or the call's callback URL (`callbackHttpMethod` POST: a JSON body; GET: the payload's properties as query parameters), `User-Agent: BandwidthAPI/v1 (…)`; also to a `/webhooks` subscription with `dialect: bandwidth`.",
  },
};

/** `<publicUrl>/schemas/events/<dialect>/<name>.json`, or the path alone without a public URL. */
export function eventSchemaUrl(dialect: DialectName, name: string, publicUrl = ''): string {
  return `${publicUrl.replace(/\/+$/, '')}${EVENT_SCHEMAS_PATH}/${dialect}/${encodeURIComponent(name)}.json`;
}

/** The name of an event's schema in `components.schemas` (OpenAPI 3.1 §4.8.7: `^[a-zA-Z0-9.\-_]+$`). */
export function eventComponentName(dialect: DialectName, name: string): string {
  return `${dialect}.${name}`;
}

/** Every event each dialect can emit (`Dialect.eventNames`), with its schema. Throws if one lacks it. */
export function eventSchemaList(): { dialect: DialectName; name: string; schema: object }[] {
  return allDialects.flatMap((d) =>
    d.eventNames.map((name) => {
      const schema = SCHEMAS[d.name][name];
      if (!schema) throw new Error(`no JSON Schema for ${d.name} event ${name}`);
      return { dialect: d.name, name, schema };
    }),
  );
}

/** One event's schema as published at its URL: draft-07, its own URL as `$id`. */
export function publishedEventSchema(dialect: DialectName, name: string, publicUrl: string): object | undefined {
  const schema = Object.hasOwn(SCHEMAS[dialect] ?? {}, name) ? SCHEMAS[dialect][name] : undefined;
  if (!schema || !allDialects.find((d) => d.name === dialect)?.eventNames.includes(name)) return undefined;
  const { $id: _placeholder, $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  return { $schema: DRAFT_07, $id: eventSchemaUrl(dialect, name, publicUrl), title: `${dialect} ${name}`, ...rest };
}

/** `GET /schemas/events`. */
export function eventSchemaIndex(publicUrl: string) {
  return {
    dialects: allDialects.map((d) => ({
      dialect: d.name,
      description: EVENT_DIALECTS[d.name].description,
      events: d.eventNames.map((name) => ({ name, url: eventSchemaUrl(d.name, name, publicUrl) })),
    })),
  };
}

/** `components.schemas` entries: the event schemas, without the placeholder `$id`s, pointing at their URL. */
export function eventComponents(): Record<string, object> {
  return Object.fromEntries(
    eventSchemaList().map(({ dialect, name, schema }) => {
      const { $id: _placeholder, $schema: _dialect, ...rest } = schema as Record<string, unknown>;
      const published = { url: eventSchemaUrl(dialect, name), description: 'this schema, published on its own' };
      return [eventComponentName(dialect, name), { $schema: DRAFT_07, title: `${dialect} ${name}`, ...rest, externalDocs: published }];
    }),
  );
}

const DELIVERY_HEADERS = [
  { name: 'X-Ringside-Event', description: 'the event name' },
  { name: 'X-Ringside-Event-Id', description: 'the event id: the same on every redelivery, so a receiver can ignore repeats' },
  { name: 'X-Ringside-Timestamp', description: 'unix seconds, covered by the signature' },
  { name: 'X-Ringside-Delivery-Attempt', description: '1 on the first attempt' },
  { name: 'X-Ringside-Signature', description: '`sha256=<hex HMAC of "timestamp.body">` when the subscription has a secret (docs/webhooks.md, "Verifying the signature")', required: false },
] as const;

/** The top-level `webhooks` object: one POST per event of every dialect, keyed `<dialect>.<name>`. */
export function eventWebhooks(): Record<string, object> {
  return Object.fromEntries(
    eventSchemaList().map(({ dialect, name }) => {
      const key = eventComponentName(dialect, name);
      const operation = {
        tags: [EVENT_DIALECTS[dialect].tag],
        operationId: `event${dialect[0]!.toUpperCase()}${dialect.slice(1)}${name.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _s, c: string) => c.toUpperCase())}`,
        summary: `${dialect} ${name}`,
        description: `${EVENT_DIALECTS[dialect].description}\n\nAnswer 2xx to acknowledge; anything else (or no answer in time) is retried with backoff and then kept as a dead letter (docs/webhooks.md).`,
        parameters: DELIVERY_HEADERS.map((h) => ({ in: 'header', name: h.name, description: h.description, required: !('required' in h), schema: { type: 'string' } })),
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${key}` } } } },
        responses: { '2XX': { description: 'acknowledged' }, default: { description: 'not acknowledged: retried, then dead-lettered' } },
      };
      return [key, { post: operation }];
    }),
  );
}
