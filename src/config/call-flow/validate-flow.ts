/**
 * Validation of a call flow (issue 14: "every output wired or defaulted, no unreachable node, no cycle
 * without a wait"). Pure: it returns every problem it finds, each naming the node and output, and throws
 * nothing. References to users, ring groups and numbers go through a FlowDirectory, so the config loader
 * and the REST API can each pass their own view of the account.
 *
 * `validateFlow` checks a typed flow (the schema already passed); `validateFlowDocument` takes anything
 * (a parsed YAML section, a REST body) and runs the schema first, node by node, so its errors name nodes.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { callFlowSchema, flowNodeSchemas } from './flow-schema.js';
import { DTMF_KEYS, outputsOf, type CallFlow, type FlowNode, type NodeId, type TimeNode } from './flow-types.js';
import { isValidTimezone, parseClock } from './office-hours.js';

/** What the flow may refer to, in the account that owns it. */
export interface FlowDirectory {
  hasUser(id: number): boolean;
  hasRingGroup(id: string): boolean;
  /** May this account dial / forward to this number (E.164 or an extension)? */
  canDial(number: string): boolean;
}

export type FlowProblemCode =
  | 'schema'
  | 'missing-start'
  | 'dangling-output'
  | 'unreachable'
  | 'cycle-without-wait'
  | 'invalid-key'
  | 'timezone'
  | 'office-hours'
  | 'unknown-user'
  | 'unknown-ring-group'
  | 'unknown-number';

export interface FlowProblem {
  code: FlowProblemCode;
  /** The node at fault; undefined for a flow-level problem (no start). */
  node?: NodeId;
  /** The output (`keys/3`, `busy`) or, for problems that are not about the graph, the field (`weekly/1`,
   *  `target`) at fault; the message says which. */
  output?: string;
  /** `node 'main-menu' output 'keys/3': no node 'sales'` */
  message: string;
}

export interface FlowContext {
  /** The account's IANA timezone (a `time` node may override it). */
  timezone: string;
  directory: FlowDirectory;
}

/** Codes whose `output` is a graph output; for the others it is a field of the node (`weekly/1`, `target`). */
const ABOUT_OUTPUTS: ReadonlySet<FlowProblemCode> = new Set(['dangling-output', 'cycle-without-wait', 'invalid-key']);

function problem(code: FlowProblemCode, detail: string, node?: NodeId, output?: string): FlowProblem {
  const label = ABOUT_OUTPUTS.has(code) ? 'output' : 'field';
  const where = node === undefined ? 'flow' : output === undefined ? `node '${node}'` : `node '${node}' ${label} '${output}'`;
  return { code, ...(node !== undefined && { node }), ...(output !== undefined && { output }), message: `${where}: ${detail}` };
}

/** Every problem of a typed flow; an empty array means it is valid. */
export function validateFlow(flow: CallFlow, ctx: FlowContext): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const exists = (id: NodeId) => Object.hasOwn(flow.nodes, id);

  if (!exists(flow.start)) problems.push(problem('missing-start', `start '${flow.start}' is not a node`));

  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const o of outputsOf(node)) {
      // A defaulted output points where another output does; that one is reported already.
      if (!o.defaulted && !exists(o.target)) problems.push(problem('dangling-output', `no node '${o.target}'`, id, o.output));
    }
    problems.push(...checkNode(id, node, ctx));
  }

  if (exists(flow.start)) {
    const reached = reachable(flow);
    for (const id of Object.keys(flow.nodes)) {
      if (!reached.has(id)) problems.push(problem('unreachable', `not reachable from start '${flow.start}'`, id));
    }
  }
  problems.push(...cyclesWithoutWait(flow));
  return problems;
}

function checkNode(id: NodeId, node: FlowNode, ctx: FlowContext): FlowProblem[] {
  const out: FlowProblem[] = [];
  const dir = ctx.directory;
  const users = (list: number[], field: string) => {
    for (const u of list) if (!dir.hasUser(u)) out.push(problem('unknown-user', `no user ${u}`, id, field));
  };
  const group = (g: string, field: string) => {
    if (!dir.hasRingGroup(g)) out.push(problem('unknown-ring-group', `no ring group '${g}'`, id, field));
  };
  const num = (n: string, field: string) => {
    if (!dir.canDial(n)) out.push(problem('unknown-number', `number '${n}' cannot be dialled by this account`, id, field));
  };
  switch (node.type) {
    case 'menu':
      // A JSON/YAML map cannot bind one key twice (the YAML loader refuses duplicate keys, JSON.parse keeps
      // the last); what remains to check is that every key is one DTMF key.
      for (const key of Object.keys(node.keys)) {
        if (!(DTMF_KEYS as readonly string[]).includes(key)) {
          out.push(problem('invalid-key', `'${key}' is not one DTMF key (0-9 * #)`, id, `keys/${key}`));
        }
      }
      break;
    case 'dial':
      if ('users' in node.target) users(node.target.users, 'target');
      else if ('ringGroup' in node.target) group(node.target.ringGroup, 'target');
      else num(node.target.number, 'target');
      break;
    case 'queue':
      if ('users' in node.agents) users(node.agents.users, 'agents');
      else group(node.agents.ringGroup, 'agents');
      break;
    case 'voicemail':
      users([node.mailboxUser], 'mailboxUser');
      break;
    case 'forward':
      num(node.number, 'number');
      break;
    case 'time':
      out.push(...checkOfficeHours(id, node, ctx.timezone));
      break;
    case 'playaudio':
    case 'hangup':
      break;
  }
  return out;
}

/** Timezone known; each range well-formed (`from < to`, no midnight span); no two ranges overlap on a day. */
function checkOfficeHours(id: NodeId, node: TimeNode, accountTimezone: string): FlowProblem[] {
  const out: FlowProblem[] = [];
  const tz = node.timezone ?? accountTimezone;
  if (!isValidTimezone(tz)) out.push(problem('timezone', `'${tz}' is not an IANA timezone`, id, node.timezone === undefined ? undefined : 'timezone'));
  const byDay = new Map<string, { from: number; to: number; index: number }[]>();
  node.weekly.forEach((range, index) => {
    const from = parseClock(range.from);
    const to = parseClock(range.to);
    const field = `weekly/${index}`;
    if (from === undefined || to === undefined || from === 1440) {
      out.push(problem('office-hours', `'${range.from}'–'${range.to}' is not HH:MM–HH:MM`, id, field));
      return;
    }
    if (from >= to) {
      out.push(problem('office-hours', `${range.from}–${range.to} ends before it starts (a range never spans midnight: split it in two days)`, id, field));
      return;
    }
    for (const day of range.days) {
      const list = byDay.get(day) ?? [];
      for (const other of list) {
        if (from < other.to && other.from < to) {
          out.push(problem('office-hours', `${day} ${range.from}–${range.to} overlaps weekly/${other.index}`, id, field));
        }
      }
      list.push({ from, to, index });
      byDay.set(day, list);
    }
  });
  for (const [i, date] of (node.holidays ?? []).entries()) {
    if (!isCalendarDate(date)) out.push(problem('office-hours', `holiday '${date}' is not a date (YYYY-MM-DD)`, id, `holidays/${i}`));
  }
  return out;
}

function isCalendarDate(text: string): boolean {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

function reachable(flow: CallFlow): Set<NodeId> {
  const seen = new Set<NodeId>([flow.start]);
  const stack = [flow.start];
  while (stack.length > 0) {
    const node = flow.nodes[stack.pop()!];
    if (!node) continue;
    for (const o of outputsOf(node)) {
      if (!seen.has(o.target) && Object.hasOwn(flow.nodes, o.target)) {
        seen.add(o.target);
        stack.push(o.target);
      }
    }
  }
  return seen;
}

/**
 * A cycle is refused unless one of its outputs waits for the caller (flow-types.ts `outputsOf`): i.e. the
 * graph of non-waiting outputs must be acyclic. Every non-waiting output that lies on such a cycle is
 * reported (any one of them is a place to break it), with one cycle through it:
 * `node 'a' output 'open': cycle without a wait: a → b → a`.
 */
function cyclesWithoutWait(flow: CallFlow): FlowProblem[] {
  const edges = new Map<NodeId, { output: string; target: NodeId }[]>();
  for (const [id, node] of Object.entries(flow.nodes)) {
    edges.set(id, outputsOf(node).filter((o) => !o.waits && Object.hasOwn(flow.nodes, o.target)));
  }
  const component = stronglyConnected(edges);
  const out: FlowProblem[] = [];
  for (const [id, list] of edges) {
    for (const o of list) {
      if (component.get(o.target) !== component.get(id)) continue;
      const back = pathWithin(edges, component, o.target, id);
      out.push(problem('cycle-without-wait', `cycle without a wait: ${[id, ...back].join(' → ')}`, id, o.output));
    }
  }
  return out;
}

/** Tarjan's strongly connected components: node → component number. */
function stronglyConnected(edges: Map<NodeId, { target: NodeId }[]>): Map<NodeId, number> {
  const index = new Map<NodeId, number>();
  const low = new Map<NodeId, number>();
  const onStack = new Set<NodeId>();
  const stack: NodeId[] = [];
  const component = new Map<NodeId, number>();
  let next = 0;
  const visit = (v: NodeId) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const { target: w } of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      let w: NodeId;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.set(w, index.get(v)!);
      } while (w !== v);
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return component;
}

/** A shortest path `from` … `to` inside their component (both ends included). */
function pathWithin(edges: Map<NodeId, { target: NodeId }[]>, component: Map<NodeId, number>, from: NodeId, to: NodeId): NodeId[] {
  if (from === to) return [to];
  const c = component.get(from);
  const parent = new Map<NodeId, NodeId | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0 && !parent.has(to)) {
    const v = queue.shift()!;
    for (const { target: w } of edges.get(v) ?? []) {
      if (component.get(w) === c && !parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  const path: NodeId[] = [to];
  for (let v = parent.get(to); v != null; v = parent.get(v)) path.unshift(v);
  return path;
}

// verbose: a oneOf error then carries its branches, which name the keys the user had to choose between.
const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
const shapeSchema = {
  ...callFlowSchema,
  properties: {
    ...callFlowSchema.properties,
    nodes: {
      ...callFlowSchema.properties.nodes,
      additionalProperties: {
        type: 'object',
        required: ['type'],
        properties: { type: { enum: Object.keys(flowNodeSchemas) } },
      },
    },
  },
};
const validateShape = ajv.compile(shapeSchema);
const validateNode = Object.fromEntries(
  Object.entries(flowNodeSchemas).map(([type, schema]) => [type, ajv.compile(schema)]),
);

function schemaMessage(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown key '${String(e.params.additionalProperty)}'`;
  if (e.keyword === 'enum') return `${e.message} (${(e.params.allowedValues as unknown[]).join(', ')})`;
  if (e.keyword === 'oneOf') {
    const keys = (e.schema as { required?: string[] }[]).map((b) => `'${b.required?.[0] ?? '?'}'`);
    return `needs exactly one of ${keys.join(', ')}`;
  }
  if (e.propertyName !== undefined) return `'${e.propertyName}' ${e.message ?? 'invalid'}`;
  return e.message ?? 'invalid';
}

/**
 * ajv's errors, made readable: a `oneOf` (prompt, dial target, queue agents) reports every branch that
 * failed. When one branch got as far as a nested field, that field's error is the one that matters;
 * otherwise the user chose no branch, and "needs exactly one of …" says so. `propertyNames` repeats its
 * inner error in general terms: the inner one (which names the key) is kept.
 */
function readableErrors(errors: ErrorObject[]): ErrorObject[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  const deeper = (path: string) => errors.some((x) => x.instancePath.startsWith(`${path}/`));
  return errors.filter((e) => {
    if (e.keyword === 'propertyNames') return false;
    if (e.keyword === 'oneOf') return !deeper(e.instancePath);
    return !oneOfs.some((o) => o.instancePath === e.instancePath && e.schemaPath.startsWith(`${o.schemaPath}/`));
  });
}

/** Where an error is: `/nodes/<id>/<field…>` becomes the node and its output/field. */
function schemaProblem(e: ErrorObject, node?: NodeId): FlowProblem {
  let path = e.instancePath;
  if (e.propertyName !== undefined) path += `/${e.propertyName.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  if (node !== undefined) return problem('schema', schemaMessage(e), node, path.slice(1) ? path.slice(1).split('/').map(unescape).join('/') : undefined);
  const m = /^\/nodes\/([^/]+)(?:\/(.*))?$/.exec(path);
  if (m) return problem('schema', schemaMessage(e), unescape(m[1]!), m[2] && unescape(m[2]));
  return problem('schema', `${path || '/'} ${schemaMessage(e)}`);
}

/**
 * Schema first (the flow, then each node against its own kind, so a bad node is named), then — if the
 * shape is right — the graph rules. Never throws, whatever `data` is.
 */
export function validateFlowDocument(data: unknown, ctx: FlowContext): FlowProblem[] {
  if (!validateShape(data)) return readableErrors(validateShape.errors ?? []).map((e) => schemaProblem(e));
  const flow = data as unknown as CallFlow;
  const problems: FlowProblem[] = [];
  for (const [id, node] of Object.entries(flow.nodes)) {
    const check = validateNode[node.type]!;
    if (!check(node)) problems.push(...readableErrors(check.errors ?? []).map((e) => schemaProblem(e, id)));
  }
  return problems.length > 0 ? problems : validateFlow(flow, ctx);
}

/** JSON Pointer unescaping (RFC 6901 §4). */
function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}
