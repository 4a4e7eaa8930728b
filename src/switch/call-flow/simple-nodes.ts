/**
 * The nodes that need little of their own: `playaudio` (answers, plays, `next` or hang up), `time`
 * (office hours at the switch's clock, in the node's timezone or the account's), `voicemail`, `forward`,
 * `hangup` (terminal). The outputs follow the defaults table of flow-types.ts.
 */
import type { ForwardNode, HangupNode, PlayAudioNode, TimeNode, VoicemailNode } from '../../config/call-flow/flow-types.js';
import type { FlowHost, Step } from './flow-host.js';
import { promptItem } from './flow-prompt.js';
import { isOpen } from '../../config/call-flow/office-hours.js';

export async function runPlayAudio(node: PlayAudioNode, host: FlowHost, mediaDir: string): Promise<Step> {
  if ((await host.answer()) === 'gone') return { end: 'over' };
  if ((await host.play([promptItem(node.prompt, mediaDir)])) === 'gone') return { end: 'over' };
  return node.next !== undefined ? { next: node.next, output: 'next' } : { end: 'hangup' };
}

export function runTime(node: TimeNode, host: FlowHost): Step {
  const timezone = node.timezone ?? host.timezone;
  const at = host.now();
  const open = isOpen(node, timezone, at);
  host.log.info({ timezone, at: at.toISOString(), open }, 'flow: office hours');
  return open ? { next: node.open, output: 'open' } : { next: node.closed, output: 'closed' };
}

export async function runVoicemail(node: VoicemailNode, host: FlowHost): Promise<Step> {
  await host.voicemail(node);
  return { end: 'over' };
}

export async function runForward(node: ForwardNode, host: FlowHost): Promise<Step> {
  await host.forward(node);
  return { end: 'over' };
}

export function runHangup(_node: HangupNode): Step {
  return { end: 'hangup' };
}
