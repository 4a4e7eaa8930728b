/**
 * A `menu` node: the prompt, then one key (RFC 4733 or SIP INFO — the media engine reports both as a
 * digit). A key pressed during the prompt stops it and counts. No key within `timeoutSeconds` after the
 * prompt, or a key without an output, is a failed try; after `retries` re-prompts the `timeout`/`invalid`
 * output is taken (by what the last try got), or the call is hung up when it is omitted (flow-types.ts,
 * defaults table).
 */
import { FLOW_DEFAULTS, type DtmfKey, type MenuNode } from '../../config/call-flow/flow-types.js';
import type { FlowHost, Step } from './flow-host.js';
import { promptItem } from './flow-prompt.js';

export async function runMenu(node: MenuNode, host: FlowHost, mediaDir: string): Promise<Step> {
  if ((await host.answer()) === 'gone') return { end: 'over' };
  const waitMs = (node.timeoutSeconds ?? FLOW_DEFAULTS.menu.timeoutSeconds) * 1000;
  const tries = 1 + (node.retries ?? FLOW_DEFAULTS.menu.retries);
  let last: 'timeout' | 'invalid' = 'timeout';
  for (let attempt = 1; attempt <= tries; attempt++) {
    const played = await host.play([promptItem(node.prompt, mediaDir)], { stopOnDigit: true });
    if (played === 'gone') return { end: 'over' };
    const key = played.digit ?? (await host.digit(waitMs));
    if (key === 'gone') return { end: 'over' };
    const target = key === undefined ? undefined : node.keys[key as DtmfKey];
    host.log.info({ attempt, key, target }, key === undefined ? 'menu: no key' : 'menu: key pressed');
    if (target !== undefined) return { next: target, output: `keys/${key!}` };
    last = key === undefined ? 'timeout' : 'invalid';
  }
  const output = node[last];
  return output !== undefined ? { next: output, output: last } : { end: 'hangup', output: last };
}
