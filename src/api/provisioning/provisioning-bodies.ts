/**
 * Request bodies of the provisioning REST: the config file's own schemas (config/config-schema.ts), so a
 * resource is written over REST exactly as in the file, with what REST changes: the key may be left out
 * (it is in the URL; a user's id is chosen on create), and secrets may be left out on PUT (kept).
 */
import { apiCredentialSchema, lineSchema, numberSchema, ringGroupSchema, trunkSchema, userSchema } from '../../config/config-schema.js';

type ObjectSchema = { type: 'object'; required?: readonly string[]; properties: Record<string, unknown>; [k: string]: unknown };

function loosen(schema: ObjectSchema, optional: readonly string[], drop: readonly string[] = []): ObjectSchema {
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !drop.includes(k)));
  const { anyOf: _anyOf, ...rest } = schema;
  return { ...rest, properties, required: (schema.required ?? []).filter((k) => !optional.includes(k) && !drop.includes(k)) };
}

const userSip = userSchema.properties.sip;
const trunkAuth = trunkSchema.properties.auth;

export const PROVISIONING_BODIES = {
  users: {
    ...loosen(userSchema as unknown as ObjectSchema, ['id'], ['passwordHash']),
    properties: {
      ...loosen(userSchema as unknown as ObjectSchema, ['id'], ['passwordHash']).properties,
      sip: loosen(userSip as unknown as ObjectSchema, ['password']),
    },
  },
  numbers: loosen(numberSchema as unknown as ObjectSchema, ['number']),
  lines: loosen(lineSchema as unknown as ObjectSchema, ['id']),
  ringGroups: loosen(ringGroupSchema as unknown as ObjectSchema, ['id']),
  trunks: {
    ...loosen(trunkSchema as unknown as ObjectSchema, ['name']),
    properties: { ...trunkSchema.properties, auth: loosen(trunkAuth as unknown as ObjectSchema, ['password']) },
  },
  apiCredentials: loosen(apiCredentialSchema as unknown as ObjectSchema, ['token', 'secret']),
} as const;
