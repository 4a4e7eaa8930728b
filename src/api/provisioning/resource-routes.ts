/**
 * The five routes of one provisioning resource (docs/provisioning.md): list, create, read, replace,
 * delete — the same for users, numbers, lines, ring groups, trunks, API credentials and call flows, which differ
 * only in what `ResourceSpec` says. Writes go through `Store.changeProvisioning` (one transaction that
 * re-checks the whole provisioning as the config loader does); its refusals become 404/409/412/422 here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { Principal } from '../../auth/principal.js';
import type { ProvisioningChange, ProvisioningResource, RecordOf, ResourceTypes, Store } from '../../store/store.js';
import { ProvisioningWriteError } from '../../store/provisioning-writes.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { principalOf, type RouteAuth } from '../shared/auth-plugin.js';
import { strictValidator } from '../admin/strict-validation.js';
import { etagOf, ifMatches } from './etag.js';

export interface ResourceSpec<R extends ProvisioningResource> {
  resource: R;
  /** URL segment and list property: `users`, `ring-groups` → `ringGroups`. */
  segment: string;
  list: R;
  /** Name of the key in the URL and the body (`id`, `number`, `name`, `token`). */
  keyName: string;
  keySchema: object;
  singular: string;
  auth: RouteAuth;
  /** Refuses a principal the resource is not for (trunks: admins only), beyond `auth`. */
  allow?: (p: Principal) => string | undefined;
  body: object;
  /** Checks the body instead of compiling `body` (which the document still publishes): the problem, as a
   *  400 `bad_request`, or undefined (call flows: errors that name the node, api/provisioning/flow-body.ts). */
  checkBody?: (body: unknown) => string | undefined;
  /** POST body without a key: the key to create under (undefined: the store picks, users only). */
  newKey?: (body: Record<string, unknown>) => Record<string, unknown>;
  viewSchemaId: string;
  view: (r: RecordOf<R>) => object;
  /** A record of the principal's account by key, or undefined. */
  get: (store: Store, accountId: string, key: ResourceTypes[R]['key']) => Promise<RecordOf<R> | undefined>;
  all: (store: Store, accountId: string) => Promise<RecordOf<R>[]>;
  /** A URL key as the store's (`users`: numeric); undefined when it cannot be one. */
  parseKey: (raw: string) => ResourceTypes[R]['key'] | undefined;
  /** Refuses a write this principal may not make of this record (`value`: the body; `current`: the record
   *  replaced or deleted), beyond `allow`. */
  allowWrite?: (p: Principal, value: Record<string, unknown> | undefined, current: RecordOf<R> | undefined) => ApiError | undefined;
  /** Decorates the 201 answer of POST (API credentials: the secret, once). */
  created?: (view: object, body: Record<string, unknown>) => object;
}

const STATUS: Record<ProvisioningWriteError['code'], [number, string]> = {
  conflict: [409, 'conflict'],
  invalid_reference: [422, 'invalid_reference'],
  invalid: [422, 'invalid'],
  not_found: [404, 'not_found'],
  precondition_failed: [412, 'precondition_failed'],
};

export async function resourceRoutes<R extends ProvisioningResource>(app: FastifyInstance, { spec, store, changed }: { spec: ResourceSpec<R>; store: Store; changed?: (resource: ProvisioningResource) => void }): Promise<void> {
  const base = `/provisioning/${spec.segment}`;
  const one = { $ref: `${spec.viewSchemaId}#` };
  const params = { type: 'object', required: [spec.keyName], properties: { [spec.keyName]: spec.keySchema } };
  const config = { auth: spec.auth };
  const headers = { type: 'object', properties: { 'if-match': { type: 'string', description: 'a strong ETag from a GET: the write is refused (412) when the resource changed since' } } };
  const checkBody = spec.checkBody;
  const validatorCompiler: FastifySchemaCompiler<unknown> | undefined = checkBody
    ? (route) =>
        route.httpPart === 'body'
          ? (data: unknown) => {
              const problem = checkBody(data);
              return problem === undefined ? { value: data } : { error: new ApiError(400, 'bad_request', problem) };
            }
          : strictValidator(route)
    : undefined;
  const writes = validatorCompiler ? { validatorCompiler } : {};

  const principal = (req: FastifyRequest): Principal => {
    const p = principalOf(req);
    const refused = spec.allow?.(p);
    if (refused) throw new ApiError(403, 'forbidden', refused);
    return p;
  };
  const keyOf = (req: FastifyRequest): ResourceTypes[R]['key'] => {
    const raw = (req.params as Record<string, string>)[spec.keyName]!;
    const key = spec.parseKey(raw);
    if (key === undefined) throw notFound(raw);
    return key;
  };
  const notFound = (key: unknown) => new ApiError(404, 'not_found', `no ${spec.singular} '${String(key)}' in this account`);
  const write = async (change: ProvisioningChange<R>): Promise<RecordOf<R>> => {
    try {
      const record = await store.changeProvisioning(change);
      changed?.(spec.resource);
      return record;
    } catch (err) {
      if (!(err instanceof ProvisioningWriteError)) throw err;
      const [status, code] = STATUS[err.code];
      throw new ApiError(status, code, err.code === 'not_found' ? `no ${spec.singular} in this account: ${err.message}` : err.message);
    }
  };
  const checkWrite = async (p: Principal, value: Record<string, unknown> | undefined, key?: ResourceTypes[R]['key']) => {
    if (!spec.allowWrite) return;
    const current = key === undefined ? undefined : await spec.get(store, p.accountId, key);
    const refused = spec.allowWrite(p, value, current);
    if (refused) throw refused;
  };
  const send = (reply: FastifyReply, record: RecordOf<R>, status = 200, extra?: (view: object) => object) => {
    const view = spec.view(record);
    return reply.code(status).header('etag', etagOf(record)).send(extra ? extra(view) : view);
  };

  app.get(base, { config, schema: { response: { 200: { type: 'object', required: [spec.list], properties: { [spec.list]: { type: 'array', items: one } } }, ...errorReplies } } }, async (req) => {
    const p = principal(req);
    return { [spec.list]: (await spec.all(store, p.accountId)).map(spec.view) };
  });

  app.post(base, { config, ...writes, schema: { body: spec.body, response: { 201: one, ...errorReplies } } }, async (req, reply) => {
    const p = principal(req);
    const body = spec.newKey ? spec.newKey(req.body as Record<string, unknown>) : (req.body as Record<string, unknown>);
    if (spec.keyName in body === false && spec.resource !== 'users') throw new ApiError(400, 'bad_request', `body: missing required property '${spec.keyName}'`);
    await checkWrite(p, body);
    const record = await write({ resource: spec.resource, op: 'create', accountId: p.accountId, value: body } as unknown as ProvisioningChange<R>);
    const key = String((record as Record<string, unknown>)[spec.keyName]);
    reply.header('location', `${base}/${encodeURIComponent(key)}`);
    return send(reply, record, 201, spec.created ? (view) => spec.created!(view, body) : undefined);
  });

  app.get(`${base}/:${spec.keyName}`, { config, schema: { params, response: { 200: one, ...errorReplies } } }, async (req, reply) => {
    const p = principal(req);
    const key = keyOf(req);
    const record = await spec.get(store, p.accountId, key);
    if (!record) throw notFound(key);
    return send(reply, record);
  });

  app.put(`${base}/:${spec.keyName}`, { config, ...writes, schema: { params, headers, body: spec.body, response: { 200: one, ...errorReplies } } }, async (req, reply) => {
    const p = principal(req);
    const key = keyOf(req);
    const body = req.body as Record<string, unknown>;
    if (body[spec.keyName] !== undefined && body[spec.keyName] !== key)
      throw new ApiError(400, 'bad_request', `body.${spec.keyName} '${String(body[spec.keyName])}' does not match the URL's '${String(key)}'`);
    await checkWrite(p, body, key);
    const ifMatch = req.headers['if-match'];
    const record = await write({ resource: spec.resource, op: 'replace', accountId: p.accountId, key, value: { ...body, [spec.keyName]: key }, precondition: (current: RecordOf<R>) => ifMatches(ifMatch, current) } as unknown as ProvisioningChange<R>);
    return send(reply, record);
  });

  app.delete(`${base}/:${spec.keyName}`, { config, schema: { params, headers, response: { 204: { type: 'null', description: 'deleted' }, ...errorReplies } } }, async (req, reply) => {
    const p = principal(req);
    const key = keyOf(req);
    await checkWrite(p, undefined, key);
    const ifMatch = req.headers['if-match'];
    await write({ resource: spec.resource, op: 'delete', accountId: p.accountId, key, precondition: (current: RecordOf<R>) => ifMatches(ifMatch, current) } as unknown as ProvisioningChange<R>);
    return reply.code(204).send();
  });
}
