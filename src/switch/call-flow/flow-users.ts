/**
 * The users a flow call concerns (`session.started.userIds`, what the realtime stream routes a session's
 * events by, as a line's ringing users are): every user a dial or queue node may reach (by id or as a ring
 * group's member), and every voicemail box's owner, in the order the flow names them.
 */
import type { CallFlow } from '../../config/call-flow/flow-types.js';

export function flowUserIds(flow: CallFlow, ringGroups: readonly { id: string; members: readonly number[] }[]): string[] {
  const ids: number[] = [];
  const members = (group: string) => ringGroups.find((g) => g.id === group)?.members ?? [];
  for (const node of Object.values(flow.nodes)) {
    if (node.type === 'dial' && !('number' in node.target)) ids.push(...('users' in node.target ? node.target.users : members(node.target.ringGroup)));
    else if (node.type === 'queue') ids.push(...('users' in node.agents ? node.agents.users : members(node.agents.ringGroup)));
    else if (node.type === 'voicemail') ids.push(node.mailboxUser);
  }
  return [...new Set(ids)].map(String);
}
