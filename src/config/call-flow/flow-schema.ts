/**
 * JSON Schema (draft-07) of a call flow as it appears in the provisioning YAML and the REST body
 * (flow-types.ts is the model it produces). Strict: every object refuses unknown keys. No `default`s here:
 * the defaults live in flow-types.ts (FLOW_DEFAULTS), because ajv applies no defaults inside `oneOf`.
 * The graph rules (outputs wired, reachability, cycles, office hours, references) are validate-flow.ts.
 */

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } as const;
const nodeRef = id;
const userId = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;
/** An E.164 number or an internal extension / short number. */
const dialNumber = { type: 'string', pattern: '^(\\+[1-9][0-9]{1,14}|[0-9]{2,15})$' } as const;
/** A file under the media directory: relative, no `..` segment. */
const mediaFile = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$))[A-Za-z0-9_./-]+$',
} as const;
const seconds = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max }) as const;

const prompt = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['file'], properties: { file: mediaFile } },
    {
      type: 'object',
      additionalProperties: false,
      required: ['text'],
      properties: { text: { type: 'string', minLength: 1, maxLength: 2000 } },
    },
  ],
} as const;

const users = {
  type: 'object',
  additionalProperties: false,
  required: ['users'],
  properties: { users: { type: 'array', items: userId, minItems: 1, maxItems: 100, uniqueItems: true } },
} as const;
const ringGroup = {
  type: 'object',
  additionalProperties: false,
  required: ['ringGroup'],
  properties: { ringGroup: id },
} as const;
const number = {
  type: 'object',
  additionalProperties: false,
  required: ['number'],
  properties: { number: dialNumber },
} as const;
const strategy = { enum: ['ring-all', 'round-robin', 'longest-idle'] } as const;

/** Each node kind: `type` fixes the branch, so ajv's errors name the kind that was meant. */
const node = (type: string, required: string[], properties: Record<string, unknown>) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['type', ...required],
    properties: { type: { const: type }, ...properties },
  }) as const;

const time = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' } as const;

export const flowNodeSchemas = {
  playaudio: node('playaudio', ['prompt'], { prompt, next: nodeRef }),
  menu: node('menu', ['prompt', 'keys'], {
    prompt,
    // Key syntax is checked here and again in validate-flow.ts (which names the node).
    keys: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[0-9*#]$' },
      additionalProperties: nodeRef,
    },
    timeoutSeconds: seconds(1, 60),
    retries: seconds(0, 10),
    timeout: nodeRef,
    invalid: nodeRef,
  }),
  dial: node('dial', ['target'], {
    target: { oneOf: [users, ringGroup, number] },
    strategy,
    timeoutSeconds: seconds(1, 600),
    answer: nodeRef,
    noAnswer: nodeRef,
    busy: nodeRef,
    failed: nodeRef,
  }),
  voicemail: node('voicemail', ['mailboxUser'], { mailboxUser: userId }),
  queue: node('queue', ['agents'], {
    agents: { oneOf: [users, ringGroup] },
    strategy,
    music: { type: 'object', additionalProperties: false, required: ['file'], properties: { file: mediaFile } },
    announceEverySeconds: seconds(0, 3600),
    maxWaitSeconds: seconds(1, 86400),
    timeout: nodeRef,
  }),
  time: node('time', ['weekly', 'open', 'closed'], {
    timezone: { type: 'string', minLength: 1, maxLength: 64 },
    weekly: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['days', 'from', 'to'],
        properties: {
          days: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
          },
          from: time,
          to: time,
        },
      },
    },
    holidays: {
      type: 'array',
      maxItems: 1000,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
    },
    open: nodeRef,
    closed: nodeRef,
  }),
  forward: node('forward', ['number'], { number: dialNumber }),
  hangup: node('hangup', [], {}),
} as const;

/** draft-07 (ajv's default `Ajv` class); no `$schema` key, so the config schema can embed it. */
export const callFlowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'start', 'nodes'],
  properties: {
    id,
    name: { type: 'string', minLength: 1, maxLength: 128 },
    start: nodeRef,
    nodes: {
      type: 'object',
      minProperties: 1,
      maxProperties: 500,
      propertyNames: id,
      additionalProperties: { oneOf: Object.values(flowNodeSchemas) },
    },
  },
} as const;
