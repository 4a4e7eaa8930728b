/**
 * Opt-out and opt-in keywords (the industry's standard set, as the issue lists them). A text whose whole
 * body is one of them, ignoring case and surrounding whitespace, changes the sender's status.
 */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'UNSTOP']);

export type KeywordAction = { action: 'opt-out' | 'opt-in'; keyword: string };

export function keywordAction(body: string): KeywordAction | undefined {
  const k = body.trim().toUpperCase();
  if (OPT_OUT.has(k)) return { action: 'opt-out', keyword: k };
  if (OPT_IN.has(k)) return { action: 'opt-in', keyword: k };
  return undefined;
}
