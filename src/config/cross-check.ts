/**
 * Checks the schema cannot express: uniqueness across the file and references between entries.
 * Returns problems as JSON-pointer paths into the document.
 */
import type { ProvisioningConfig } from './config-types.js';
import { isValidTimezone } from './call-flow/office-hours.js';
import { validateFlowDocument, type FlowDirectory, type FlowProblem, type FlowProblemCode } from './call-flow/validate-flow.js';

export interface Problem {
  path: string;
  problem: string;
  /** `duplicate`: a value that must be unique is used twice; `reference`: names something that is not
   *  there; `rule`: any other check (REST writes answer 409, 422 and 422 for them). */
  kind?: 'duplicate' | 'reference' | 'rule';
}

export function crossCheck(config: ProvisioningConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, problem: string, kind: Problem['kind'] = 'rule') => problems.push({ path, problem, kind });
  const ref = (path: string, problem: string) => add(path, problem, 'reference');

  const unique = (scope: Map<string, string>, key: string, path: string, what: string) => {
    const prev = scope.get(key);
    if (prev !== undefined) add(path, `${what} '${key}' is already used at ${prev}`, 'duplicate');
    else scope.set(key, path);
  };

  const trunkNames = new Map<string, string>();
  config.trunks.forEach((t, i) => {
    unique(trunkNames, t.name, `/trunks/${i}/name`, 'trunk name');
    if (t.register && !t.auth) add(`/trunks/${i}/register`, 'registering to a carrier needs auth (username and password)');
  });

  // Global scopes: routing and logins must be unambiguous across accounts.
  const accountIds = new Map<string, string>();
  const accountcodes = new Map<string, string>();
  const userIds = new Map<string, string>();
  const emails = new Map<string, string>();
  const sipUsers = new Map<string, string>();
  const numbers = new Map<string, string>();
  const voiceUsers = new Map<string, string>();
  const tokens = new Map<string, string>();

  config.accounts.forEach((a, ai) => {
    const at = `/accounts/${ai}`;
    unique(accountIds, a.id, `${at}/id`, 'account id');
    unique(accountcodes, a.accountcode, `${at}/accountcode`, 'accountcode');
    if (a.trunk !== undefined && !trunkNames.has(a.trunk)) ref(`${at}/trunk`, `no trunk named '${a.trunk}' in /trunks`);

    const extensions = new Map<string, string>();
    const pins = new Map<string, string>();
    const shortNumbers = new Map<string, string>();
    const users = new Set<number>();
    a.users.forEach((u, ui) => {
      const p = `${at}/users/${ui}`;
      unique(userIds, String(u.id), `${p}/id`, 'user id');
      unique(emails, u.email.toLowerCase(), `${p}/email`, 'login e-mail');
      unique(pins, u.pin, `${p}/pin`, 'PIN');
      if (u.extension !== undefined) unique(extensions, u.extension, `${p}/extension`, 'extension');
      if (u.extension !== undefined) unique(shortNumbers, u.extension, `${p}/extension`, 'short number');
      if (u.sip) unique(sipUsers, u.sip.username, `${p}/sip/username`, 'SIP username');
      users.add(u.id);
    });
    const userRef = (id: number, path: string) => {
      if (!users.has(id)) ref(path, `no user with id ${id} in this account`);
    };

    const ownNumbers = new Set<string>();
    const appIds = new Set(a.applications.map((x) => x.id));
    a.numbers.forEach((n, ni) => {
      unique(numbers, n.number, `${at}/numbers/${ni}/number`, 'number');
      ownNumbers.add(n.number);
      if (n.application !== undefined && !appIds.has(n.application))
        ref(`${at}/numbers/${ni}/application`, `no application '${n.application}' in this account`);
    });

    const groupIds = new Map<string, string>();
    a.ringGroups.forEach((g, gi) => {
      const p = `${at}/ringGroups/${gi}`;
      unique(groupIds, g.id, `${p}/id`, 'ring group id');
      unique(shortNumbers, g.number, `${p}/number`, 'short number');
      g.members.forEach((m, mi) => userRef(m, `${p}/members/${mi}`));
    });

    // Call flows (config/call-flow/): the flow's schema node by node, then the graph rules, with the
    // account as the directory its nodes refer to. A flow is checked whatever the lines say of it.
    const trunkReachable = a.trunk !== undefined ? trunkNames.has(a.trunk) : config.trunks.length > 0;
    const directory: FlowDirectory = {
      hasUser: (id) => users.has(id),
      hasRingGroup: (g) => groupIds.has(g),
      // An external number goes out through the account's trunk (routing/targets.ts `trunkOf`: its own, else
      // the first): none, no dialling. One of the account's own numbers would ring its own line again.
      // A short number is one of the account's extensions or ring-group numbers.
      canDial: (n) => (n.startsWith('+') ? trunkReachable && !ownNumbers.has(n) : shortNumbers.has(n)),
    };
    const flowIds = new Map<string, string>();
    a.flows.forEach((f, fi) => {
      const p = `${at}/flows/${fi}`;
      const flowId = (f as { id?: unknown } | null)?.id;
      if (typeof flowId === 'string') unique(flowIds, flowId, `${p}/id`, 'flow id');
      for (const x of validateFlowDocument(f, { timezone: a.timezone, directory })) add(flowProblemPath(p, x), x.message, FLOW_REFERENCES.has(x.code) ? 'reference' : 'rule');
    });

    const lineIds = new Map<string, string>();
    const lineNumbers = new Map<string, string>();
    a.lines.forEach((l, li) => {
      const p = `${at}/lines/${li}`;
      unique(lineIds, l.id, `${p}/id`, 'line id');
      if (!ownNumbers.has(l.number)) ref(`${p}/number`, `${l.number} is not one of this account's numbers (/accounts/${ai}/numbers)`);
      else unique(lineNumbers, l.number, `${p}/number`, 'line number');
      l.ring.users.forEach((u, ui) => userRef(u, `${p}/ring/users/${ui}`));
      const s = l.ring.strategy;
      if ((s === 'ring-all' || s === 'round-robin') && l.ring.users.length === 0) add(`${p}/ring/users`, `strategy '${s}' needs at least one user`);
      if (s === 'forward' && l.ring.forwardTo.length === 0) add(`${p}/ring/forwardTo`, `strategy 'forward' needs at least one number`);
      if (s === 'ring-group') {
        if (l.ring.ringGroup === undefined) add(`${p}/ring`, `strategy 'ring-group' needs 'ringGroup'`);
        else if (!groupIds.has(l.ring.ringGroup)) ref(`${p}/ring/ringGroup`, `no ring group '${l.ring.ringGroup}' in this account`);
      }
      // A dangling `flow` is refused whatever the strategy: it would come alive when the strategy changes.
      if (s === 'flow' && l.ring.flow === undefined) add(`${p}/ring/flow`, `strategy 'flow' needs 'flow' (the id of one of this account's flows)`);
      else if (l.ring.flow !== undefined && !flowIds.has(l.ring.flow)) ref(`${p}/ring/flow`, `no flow '${l.ring.flow}' in this account`);
      if (l.voicemail.mailboxUser !== undefined) userRef(l.voicemail.mailboxUser, `${p}/voicemail/mailboxUser`);
    });

    // Example campaigns (config/campaign-schema.ts): the references and rules the REST checks too
    // (api/dialer/campaign-references.ts); contacts in E.164, each number once per campaign.
    const campaignNames = new Map<string, string>();
    (a.campaigns ?? []).forEach((c, ci) => {
      const p = `${at}/campaigns/${ci}`;
      unique(campaignNames, c.name, `${p}/name`, 'campaign name');
      if (!ownNumbers.has(c.callerId)) ref(`${p}/callerId`, `${c.callerId} is not one of this account's numbers`);
      (c.agents ?? []).forEach((u, ui) => userRef(u, `${p}/agents/${ui}`));
      if (c.agents !== undefined && c.ringGroup !== undefined) add(p, 'give agents or ringGroup, not both');
      if (c.mode !== 'contact-callflow' && c.agents === undefined && c.ringGroup === undefined) add(p, `mode ${c.mode} needs agents or ringGroup (who takes the answered contacts)`);
      if (c.ringGroup !== undefined && !groupIds.has(c.ringGroup)) ref(`${p}/ringGroup`, `no ring group '${c.ringGroup}' in this account`);
      if (c.mode === 'contact-callflow' && c.callFlowId === undefined) add(p, 'mode contact-callflow needs callFlowId');
      if (c.callFlowId !== undefined && !flowIds.has(c.callFlowId)) ref(`${p}/callFlowId`, `no flow '${c.callFlowId}' in this account`);
      if (c.window.from === c.window.to) add(`${p}/window`, 'from and to are the same time: the window would be empty');
      if (c.window.timezone !== undefined && !isValidTimezone(c.window.timezone)) add(`${p}/window/timezone`, `unknown time zone '${c.window.timezone}'`);
      const numbers = new Map<string, string>();
      c.contacts.forEach((k, ki) => {
        if (!/^\+[1-9][0-9]{6,14}$/.test(k.phoneNumber)) add(`${p}/contacts/${ki}/phoneNumber`, `${k.phoneNumber} is not an E.164 number`);
        else unique(numbers, k.phoneNumber, `${p}/contacts/${ki}/phoneNumber`, 'contact number');
      });
    });

    if (a.defaultCallerId !== undefined && !ownNumbers.has(a.defaultCallerId))
      ref(`${at}/defaultCallerId`, `${a.defaultCallerId} is not one of this account's numbers`);
    // spec realtime §1: the account's text-from number must be one of its lines.
    if (a.textFromNumber !== undefined && !lineNumbers.has(a.textFromNumber))
      ref(`${at}/textFromNumber`, `${a.textFromNumber} is not the number of one of this account's lines`);

    const appIdsSeen = new Map<string, string>();
    a.applications.forEach((x, xi) => {
      unique(appIdsSeen, x.id, `${at}/applications/${xi}/id`, 'application id');
      if (x.incomingCallUrl === undefined && x.incomingMessageUrl === undefined)
        add(`${at}/applications/${xi}`, 'an application needs incomingCallUrl or incomingMessageUrl (spec bandwidth §3.1)');
    });
    const hookIds = new Map<string, string>();
    a.webhooks.forEach((w, wi) => unique(hookIds, w.id, `${at}/webhooks/${wi}/id`, 'webhook id'));
    a.apiCredentials.forEach((c, ci) => unique(tokens, c.token, `${at}/apiCredentials/${ci}/token`, 'API token'));
    if (a.voiceApi) {
      unique(tokens, a.voiceApi.apiToken, `${at}/voiceApi/apiToken`, 'API token');
      unique(voiceUsers, a.voiceApi.userId, `${at}/voiceApi/userId`, 'voice API user id');
    }
  });
  return problems;
}

/** Problems with what a flow refers to outside itself (REST: 422 `invalid_reference`, as for a line). */
const FLOW_REFERENCES: ReadonlySet<FlowProblemCode> = new Set(['unknown-user', 'unknown-ring-group', 'unknown-number']);

/** Where a flow's problem is, as a JSON pointer: `/accounts/0/flows/1/nodes/menu/keys/3`. */
function flowProblemPath(flowPath: string, x: FlowProblem): string {
  const esc = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
  if (x.node !== undefined) return `${flowPath}/nodes/${esc(x.node)}${x.output === undefined ? '' : `/${x.output}`}`;
  if (x.code === 'missing-start') return `${flowPath}/start`;
  // A flow-level schema problem says where it is: `flow: /start must be string`.
  const at = /^flow: (\/\S+) /.exec(x.message)?.[1];
  return at === undefined ? flowPath : `${flowPath}${at}`;
}
