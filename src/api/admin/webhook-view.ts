/**
 * A webhook subscription as REST shows it (docs/webhooks.md, "REST reference"): never the secret, and URL
 * credentials masked. The view and its schema are written in the same field order, which is the order on
 * the wire.
 */
import type { WebhookRecord } from '../../store/store.js';
import { redact } from '../../delivery/webhooks/request-builder.js';

/** A subscription's id, in paths, bodies and queries. */
export const webhookIdSchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } as const;

export const WEBHOOK_SCHEMA_ID = 'webhook';

export const webhookViewSchema = {
  $id: WEBHOOK_SCHEMA_ID,
  type: 'object',
  description: 'every property is present but fallbackUrl (when there is none)',
  // Only the ones before fallbackUrl: the serializer writes required properties first.
  required: ['id', 'url'],
  properties: {
    id: { type: 'string' },
    url: { type: 'string', description: 'credentials in the URL show as ***' },
    fallbackUrl: { type: 'string' },
    dialect: { type: 'string', enum: ['realtime', 'teltel', 'bandwidth'] },
    method: { type: 'string', enum: ['POST', 'GET'] },
    events: { type: 'array', items: { type: 'string' }, description: 'event names delivered; empty = all' },
    hasSecret: { type: 'boolean', description: 'whether requests are signed (the secret is never shown)' },
    source: { type: 'string', enum: ['config', 'api'], description: 'config subscriptions are read-only over REST' },
  },
} as const;

export function webhookView(w: WebhookRecord) {
  return {
    id: w.id,
    url: redact(w.url),
    ...(w.fallbackUrl ? { fallbackUrl: redact(w.fallbackUrl) } : {}),
    dialect: w.dialect,
    method: w.method,
    events: w.events,
    hasSecret: Boolean(w.secret),
    source: w.source,
  };
}
