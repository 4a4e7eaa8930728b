/**
 * The provisioning resources of contract A (`/provisioning/*`), described once: where they live, how a row
 * is named in a URL, which columns the list shows and which fields the form edits. Everything else of a
 * resource is editable in the form's JSON view.
 */

export type Item = Record<string, unknown>;

export interface Field {
  /** dotted path in the resource, e.g. `sip.username` */
  path: string;
  label: string;
  kind: 'text' | 'password' | 'number' | 'select' | 'checkbox' | 'ids' | 'list';
  options?: readonly string[];
  /** Never returned by the server: blank on edit means "keep the current one". */
  writeOnly?: boolean;
  /** Part of the URL: fixed once created. */
  key?: boolean;
}

export interface Resource {
  id: string;
  title: string;
  path: string;
  listKey: string;
  /** The path segment naming one item. */
  keyOf(item: Item): string;
  columns: { label: string; path: string }[];
  fields: Field[];
  template: Item;
  adminOnly?: boolean;
  /** Shown by the server but not part of a write (a PUT naming them is refused as unknown). */
  readOnly?: string[];
}

export function getPath(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Item)[k] : undefined), o);
}

/** A copy of `o` with `path` set to `value`. */
export function setPath(o: Item, path: string, value: unknown): Item {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (!rest.length) return { ...o, [head]: value };
  const inner = o[head] && typeof o[head] === 'object' ? (o[head] as Item) : {};
  return { ...o, [head]: setPath(inner, rest.join('.'), value) };
}

/** Drops blank strings and objects left empty, so an unfilled optional field is absent, not "". */
export function pruneBlank(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneBlank);
  if (!v || typeof v !== 'object') return v;
  const out: Item = {};
  for (const [k, x] of Object.entries(v as Item)) {
    const p = pruneBlank(x);
    if (p === '' || p === undefined || (p && typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0)) continue;
    out[k] = p;
  }
  return out;
}

const str = (v: unknown) => String(v ?? '');

export const RESOURCES: readonly Resource[] = [
  {
    id: 'users',
    title: 'Users',
    path: '/provisioning/users',
    listKey: 'users',
    keyOf: (u) => str(u.id),
    columns: [
      { label: 'Id', path: 'id' },
      { label: 'Name', path: 'name' },
      { label: 'E-mail', path: 'email' },
      { label: 'Role', path: 'role' },
      { label: 'Ext.', path: 'extension' },
      { label: 'PIN', path: 'pin' },
      { label: 'SIP user', path: 'sip.username' },
    ],
    fields: [
      { path: 'name', label: 'Name', kind: 'text' },
      { path: 'email', label: 'E-mail', kind: 'text' },
      { path: 'password', label: 'Password', kind: 'password', writeOnly: true },
      { path: 'role', label: 'Role', kind: 'select', options: ['user', 'manager', 'admin'] },
      { path: 'extension', label: 'Extension', kind: 'text' },
      { path: 'pin', label: 'PIN', kind: 'text' },
      { path: 'sip.username', label: 'SIP username', kind: 'text' },
      { path: 'sip.password', label: 'SIP password', kind: 'password', writeOnly: true },
      { path: 'phoneNumber', label: 'Own number', kind: 'text' },
      { path: 'available', label: 'Available', kind: 'checkbox' },
      { path: 'ownRecordsOnly', label: 'Own records only', kind: 'checkbox' },
    ],
    template: { name: '', email: '', password: '', role: 'user', extension: '', pin: '', sip: { username: '', password: '' }, available: true, ownRecordsOnly: false },
  },
  {
    id: 'numbers',
    title: 'Numbers',
    path: '/provisioning/numbers',
    listKey: 'numbers',
    keyOf: (n) => str(n.number),
    columns: [
      { label: 'Number', path: 'number' },
      { label: 'Name', path: 'name' },
      { label: 'Application', path: 'application' },
      { label: 'SMS', path: 'sms' },
    ],
    fields: [
      { path: 'number', label: 'Number (E.164)', kind: 'text', key: true },
      { path: 'name', label: 'Name', kind: 'text' },
      { path: 'application', label: 'Voice-API application', kind: 'text' },
      { path: 'sms', label: 'SMS', kind: 'checkbox' },
    ],
    template: { number: '', name: '', sms: true },
    readOnly: ['lineId'],
  },
  {
    id: 'lines',
    title: 'Lines',
    path: '/provisioning/lines',
    listKey: 'lines',
    keyOf: (l) => str(l.id),
    columns: [
      { label: 'Id', path: 'id' },
      { label: 'Name', path: 'name' },
      { label: 'Number', path: 'number' },
      { label: 'Strategy', path: 'ring.strategy' },
      { label: 'Rings users', path: 'ring.users' },
      { label: 'Ring group', path: 'ring.ringGroup' },
      { label: 'Record', path: 'record' },
    ],
    fields: [
      { path: 'id', label: 'Id', kind: 'text', key: true },
      { path: 'name', label: 'Name', kind: 'text' },
      { path: 'number', label: 'Number', kind: 'text' },
      { path: 'ring.strategy', label: 'Ring strategy', kind: 'select', options: ['ring-all', 'round-robin', 'forward', 'ring-group', 'voicemail', 'flow'] },
      { path: 'ring.users', label: 'Ring users (ids)', kind: 'ids' },
      { path: 'ring.forwardTo', label: 'Forward to (numbers)', kind: 'list' },
      { path: 'ring.ringGroup', label: 'Ring group', kind: 'text' },
      { path: 'ring.flow', label: 'Call flow (id)', kind: 'text' },
      { path: 'ring.timeoutSeconds', label: 'Ring timeout (s)', kind: 'number' },
      { path: 'ring.fallback', label: 'Fallback', kind: 'select', options: ['hangup', 'voicemail'] },
      { path: 'record', label: 'Record calls', kind: 'checkbox' },
      { path: 'voicemail.enabled', label: 'Voicemail', kind: 'checkbox' },
    ],
    template: { id: '', name: '', number: '', ring: { strategy: 'ring-all', users: [], forwardTo: [], timeoutSeconds: 20, fallback: 'hangup' }, record: false },
  },
  {
    id: 'ring-groups',
    title: 'Ring groups',
    path: '/provisioning/ring-groups',
    listKey: 'ringGroups',
    keyOf: (g) => str(g.id),
    columns: [
      { label: 'Id', path: 'id' },
      { label: 'Name', path: 'name' },
      { label: 'Number', path: 'number' },
      { label: 'Strategy', path: 'strategy' },
      { label: 'Members', path: 'members' },
    ],
    fields: [
      { path: 'id', label: 'Id', kind: 'text', key: true },
      { path: 'name', label: 'Name', kind: 'text' },
      { path: 'number', label: 'Number', kind: 'text' },
      { path: 'strategy', label: 'Strategy', kind: 'select', options: ['ring-all', 'round-robin'] },
      { path: 'members', label: 'Members (user ids)', kind: 'ids' },
      { path: 'timeoutSeconds', label: 'Timeout (s)', kind: 'number' },
    ],
    template: { id: '', name: '', number: '', strategy: 'ring-all', members: [], timeoutSeconds: 20 },
  },
  {
    id: 'trunks',
    title: 'Trunks',
    path: '/provisioning/trunks',
    listKey: 'trunks',
    adminOnly: true,
    keyOf: (t) => str(t.name),
    columns: [
      { label: 'Name', path: 'name' },
      { label: 'Host', path: 'host' },
      { label: 'Port', path: 'port' },
      { label: 'Transport', path: 'transport' },
      { label: 'Register', path: 'register' },
    ],
    fields: [
      { path: 'name', label: 'Name', kind: 'text', key: true },
      { path: 'host', label: 'Host', kind: 'text' },
      { path: 'port', label: 'Port', kind: 'number' },
      { path: 'transport', label: 'Transport', kind: 'select', options: ['udp', 'tcp', 'tls'] },
      { path: 'inboundAddresses', label: 'Inbound addresses', kind: 'list' },
      { path: 'auth.username', label: 'Auth username', kind: 'text' },
      { path: 'auth.password', label: 'Auth password', kind: 'password', writeOnly: true },
      { path: 'register', label: 'Register', kind: 'checkbox' },
    ],
    template: { name: '', host: '', port: 5060, transport: 'udp', inboundAddresses: [], register: false },
  },
  {
    id: 'api-credentials',
    title: 'API credentials',
    path: '/provisioning/api-credentials',
    listKey: 'apiCredentials',
    keyOf: (c) => str(c.token),
    columns: [
      { label: 'Token', path: 'token' },
      { label: 'Name', path: 'name' },
    ],
    fields: [{ path: 'name', label: 'Name', kind: 'text' }],
    template: { name: '' },
  },
];
