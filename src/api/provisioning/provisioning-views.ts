/**
 * Provisioning resources as REST shows them (docs/provisioning.md): the config file's shapes, without
 * what is secret — login password (hash), SIP password, trunk password, API secret are write-only. Each
 * view and its schema list properties in the same order, required ones first (the serializer's order).
 */
import type { ApiCredentialRecord, FlowRecord, LineRecord, NumberRecord, RingGroupRecord, TrunkRecord, UserRecord } from '../../store/store.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const ints = { type: 'array', items: int } as const;
const strs = { type: 'array', items: str } as const;

export const PROVISIONING_VIEW_SCHEMAS = {
  user: {
    $id: 'provisioning-user',
    type: 'object',
    description: 'a user; password and sip.password are write-only',
    required: ['id', 'name', 'email', 'role', 'pin', 'available', 'ownRecordsOnly'],
    properties: {
      id: int,
      name: str,
      email: str,
      role: { type: 'string', enum: ['admin', 'manager', 'user'] },
      pin: str,
      available: bool,
      ownRecordsOnly: bool,
      extension: str,
      sip: { type: 'object', required: ['username'], properties: { username: str } },
      phoneNumber: str,
      outgoingCallerId: str,
    },
  },
  number: {
    $id: 'provisioning-number',
    type: 'object',
    required: ['number', 'sms'],
    properties: { number: str, sms: bool, name: str, application: str, lineId: { type: 'string', description: 'the line advertising it (read-only)' } },
  },
  line: {
    $id: 'provisioning-line',
    type: 'object',
    required: ['id', 'name', 'type', 'number', 'ring', 'confirmCalls', 'agentPinEntry', 'record', 'voicemail'],
    properties: {
      id: str,
      name: str,
      type: { type: 'string', enum: ['general', 'yard-sign'] },
      number: str,
      ring: {
        type: 'object',
        required: ['strategy', 'users', 'forwardTo', 'timeoutSeconds', 'fallback'],
        properties: { strategy: str, users: ints, forwardTo: strs, timeoutSeconds: int, fallback: str, ringGroup: str, flow: { type: 'string', description: 'strategy `flow`: the call flow the line runs' } },
      },
      confirmCalls: bool,
      agentPinEntry: bool,
      record: bool,
      voicemail: { type: 'object', required: ['enabled', 'maxSeconds'], properties: { enabled: bool, maxSeconds: int, mailboxUser: int } },
    },
  },
  ringGroup: {
    $id: 'provisioning-ring-group',
    type: 'object',
    required: ['id', 'name', 'number', 'strategy', 'members', 'timeoutSeconds'],
    properties: { id: str, name: str, number: str, strategy: str, members: ints, timeoutSeconds: int },
  },
  trunk: {
    $id: 'provisioning-trunk',
    type: 'object',
    description: 'a carrier trunk; auth.password is write-only',
    required: ['name', 'host', 'port', 'transport', 'inboundAddresses', 'register', 'registerExpiresSeconds'],
    properties: {
      name: str,
      host: str,
      port: int,
      transport: { type: 'string', enum: ['udp', 'tcp', 'tls'] },
      inboundAddresses: strs,
      register: bool,
      registerExpiresSeconds: int,
      auth: { type: 'object', required: ['username'], properties: { username: str, realm: str } },
    },
  },
  apiCredential: {
    $id: 'provisioning-api-credential',
    type: 'object',
    description: 'HTTP Basic credentials (token:secret); the secret is shown once, in the answer to the POST that made it',
    required: ['token'],
    properties: { token: str, name: str, secret: { type: 'string', description: 'only in the 201 of POST' } },
  },
  flow: {
    $id: 'provisioning-flow',
    type: 'object',
    description: 'a call flow as written (docs/provisioning.md, "Call flows"): its nodes as the request body gave them, defaults not filled in',
    required: ['id', 'name', 'start', 'nodes'],
    properties: {
      id: str,
      name: str,
      start: str,
      // Each node as stored: the body's schema says what a node may hold.
      nodes: { type: 'object', additionalProperties: { type: 'object', additionalProperties: true } },
    },
  },
} as const;

const opt = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

export function userView(u: UserRecord) {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    pin: u.pin,
    available: u.available,
    ownRecordsOnly: u.ownRecordsOnly,
    ...opt('extension', u.extension),
    ...opt('sip', u.sip ? { username: u.sip.username } : undefined),
    ...opt('phoneNumber', u.phoneNumber),
    ...opt('outgoingCallerId', u.outgoingCallerId),
  };
}

export function numberView(n: NumberRecord) {
  return { number: n.number, sms: n.sms, ...opt('name', n.name), ...opt('application', n.application), ...opt('lineId', n.lineId) };
}

export function lineView(l: LineRecord) {
  return {
    id: l.id,
    name: l.name,
    type: l.type,
    number: l.number,
    ring: { strategy: l.ring.strategy, users: l.ring.users, forwardTo: l.ring.forwardTo, timeoutSeconds: l.ring.timeoutSeconds, fallback: l.ring.fallback, ...opt('ringGroup', l.ring.ringGroup), ...opt('flow', l.ring.flow) },
    confirmCalls: l.confirmCalls,
    agentPinEntry: l.agentPinEntry,
    record: l.record,
    voicemail: { enabled: l.voicemail.enabled, maxSeconds: l.voicemail.maxSeconds, ...opt('mailboxUser', l.voicemail.mailboxUser) },
  };
}

export function ringGroupView(g: RingGroupRecord) {
  return { id: g.id, name: g.name, number: g.number, strategy: g.strategy, members: g.members, timeoutSeconds: g.timeoutSeconds };
}

export function trunkView(t: TrunkRecord) {
  return {
    name: t.name,
    host: t.host,
    port: t.port,
    transport: t.transport,
    inboundAddresses: t.inboundAddresses,
    register: t.register,
    registerExpiresSeconds: t.registerExpiresSeconds,
    ...opt('auth', t.auth ? { username: t.auth.username, ...opt('realm', t.auth.realm) } : undefined),
  };
}

export function apiCredentialView(c: ApiCredentialRecord) {
  return { token: c.token, ...opt('name', c.name) };
}

export function flowView(f: FlowRecord) {
  return { id: f.id, name: f.name, start: f.start, nodes: f.nodes };
}
