/**
 * The carrier-facing family: texts that a carrier delivers by HTTP instead of SIP MESSAGE
 * (docs/messaging.md, "In from a carrier"). Not a client API: the caller is a trunk, known by its
 * credentials or its address, and the number a text is addressed to decides the account.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { MessagingService } from '../../messaging/messaging-service.js';
import type { MediaPart } from '../../messaging/text-limits.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { authPlugin } from '../shared/auth-plugin.js';
import { missing, params, providerParams } from '../shared/request-params.js';
import { successBody } from '../shared/success-body.js';
import { decodeMediaJson, readMultipart } from '../shared/text-parts.js';

export interface CarrierApiOptions {
  store: Store;
  messaging: MessagingService;
}

const carrierParams = providerParams({
  from: { description: 'the sender, a phone number (required)' },
  to: { description: 'one of our numbers (required)' },
  text: { description: 'the text (optional with media)' },
  media: { description: 'JSON bodies: [{contentType, filename?, data (base64)}], checked by the route (bad_media); multipart bodies send file parts instead' },
});

export async function carrierApi(app: FastifyInstance, { store, messaging }: CarrierApiOptions): Promise<void> {
  // After the body is parsed, as this endpoint has always answered.
  await app.register(authPlugin, { store, stage: 'preHandler' });

  app.post(
    '/carrier/messages',
    {
      config: { auth: { schemes: ['carrier'] } },
      schema: {
        ...carrierParams,
        response: { 200: successBody({ uniqueId: { type: 'string', description: 'the report id; the event carries it' } }), ...errorReplies },
      },
    },
    async (req) => {
      let fields: Record<string, string | undefined>;
      let files: MediaPart[];
      if (req.isMultipart()) ({ fields, files } = await readMultipart(req));
      else {
        fields = params(req);
        files = [];
        const media = (req.body as { media?: unknown } | undefined)?.media;
        if (media !== undefined) files = decodeMediaJson(media);
      }
      const absent = missing(fields, ['from', 'to']);
      if (absent.length) throw new ApiError(400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
      const message = await messaging.receive({ from: fields.from!, to: fields.to!, body: fields.text ?? '', parts: files, via: 'carrier-http' });
      return { success: true, uniqueId: message.id };
    },
  );
}
