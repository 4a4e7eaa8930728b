/**
 * sipp scenarios built per test, for calls whose steps the test wants visible: which DTMF pcaps a party
 * plays and when (the RFC 4733 pcaps shipped with sipp), re-INVITEs for hold and resume, who hangs up.
 * Each scenario is written to a temp dir (`dir` for `sipp(..., { dir })`), removed after the test.
 *
 * RFC 4733 receivers drop an event they have already seen (same SSRC and timestamp), so a pcap can be
 * played only once per call: tests choose PINs with distinct digits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PCAPS = '/usr/share/sip-tester';

/** The pcap holding one digit. */
export const dtmfPcap = (digit: string): string => `${PCAPS}/dtmf_2833_${digit === '#' ? 'pound' : digit === '*' ? 'star' : digit}.pcap`;

/** Steps after the call is up, from either side (its requests built as that side's, in its dialog): play
 *  digits or audio, wait, put the other side on hold or take it off. */
export type Step =
  | { digits: string; gapMs?: number }
  | { audio: 'g711a' }
  /** Any pcap of RTP, by path (test/voice/speech-pcap.ts writes speech as one). */
  | { pcap: string }
  | { pauseMs: number }
  | { reinvite: 'sendonly' | 'sendrecv' }
  /** A digit by SIP INFO (`application/dtmf-relay`, RFC 6086). */
  | { info: string }
  /** Any in-dialog request (e.g. a malformed one) and the status it must get. */
  | { request: 'INFO' | 'REFER' | 'OPTIONS'; headers?: string[]; body?: string; contentType?: string; expect: number };

const SDP_OFFER = (direction = 'sendrecv', port = '[media_port]') => `v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio ${port} RTP/AVP 8 0 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=${direction}`;

interface RequestSpec {
  method: string;
  cseq: number;
  /** Request-URI; in the dialog by default. */
  uri?: string;
  /** ACKs go once; requests are retransmitted until answered. */
  once?: boolean;
  headers?: string[];
  contentType?: string;
  body?: string;
}

function message(first: string, lines: string[], r: Pick<RequestSpec, 'once' | 'headers' | 'contentType' | 'body'>): string {
  const all = [first, ...lines, ...(r.headers ?? []), ...(r.contentType ? [`Content-Type: ${r.contentType}`] : []), `Content-Length: ${r.body ? '[len]' : '0'}`];
  return `  <send${r.once ? '' : ' retrans="500"'}>
    <![CDATA[

${all.map((l) => `      ${l}`).join('\n')}

${r.body ? `      ${r.body}\n\n` : ''}    ]]>
  </send>`;
}

/** A request from the calling side (the carrier, sipp's UAC): its INVITE, or one inside the dialog. */
function uacRequest(r: RequestSpec): string {
  const inDialog = r.uri === undefined;
  return message(`${r.method} ${r.uri ?? '[next_url]'} SIP/2.0`, [
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    'From: "Pat Caller" <sip:[from]@[local_ip]>;tag=[pid]SIPpTag00[call_number]',
    `To: <sip:[service]@[remote_ip]:[remote_port]>${inDialog || r.method === 'ACK' ? '[peer_tag_param]' : ''}`,
    'Call-ID: [call_id]',
    `CSeq: ${r.cseq} ${r.method}`,
    ...(r.method === 'ACK' || r.method === 'BYE' ? [] : ['Contact: <sip:[from]@[local_ip]:[local_port]>']),
    ...(inDialog ? ['[routes]'] : []),
    'Max-Forwards: 70',
  ], r);
}

/** A request from the answering side inside its dialog: addressed with what its INVITE carried (the
 *  `peer_*` variables the INVITE's `<recv>` captures). */
function uasRequest(r: RequestSpec): string {
  return message(`${r.method} [$peer_contact] SIP/2.0`, [
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    'From: [$peer_to];tag=[pid]SIPpTag01[call_number]',
    'To: [$peer_from]',
    'Call-ID: [call_id]',
    `CSeq: ${r.cseq} ${r.method}`,
    'Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>',
    'Max-Forwards: 70',
  ], r);
}

/** One side of the dialog, as its requests are built: the calling side's (uacRequest) or the answering
 *  side's (uasRequest), with the CSeq numbers it has used. */
interface Side {
  cseq: number;
  request: (r: RequestSpec) => string;
}

function playSteps(steps: Step[], side: Side): string {
  return steps
    .map((s) => {
      if ('pauseMs' in s) return `  <pause milliseconds="${s.pauseMs}"/>`;
      if ('audio' in s) return `  <nop><action><exec play_pcap_audio="${PCAPS}/${s.audio}.pcap"/></action></nop>`;
      if ('pcap' in s) return `  <nop><action><exec play_pcap_audio="${s.pcap}"/></action></nop>`;
      if ('digits' in s)
        // No pause after the last digit: a BYE arriving during a pause would be unexpected to sipp.
        return [...s.digits].map((d) => `  <nop><action><exec play_pcap_audio="${dtmfPcap(d)}"/></action></nop>`).join(`\n  <pause milliseconds="${s.gapMs ?? 400}"/>\n`);
      const cseq = ++side.cseq;
      if ('info' in s) return `${side.request({ method: 'INFO', cseq, contentType: 'application/dtmf-relay', body: `Signal=${s.info}\n      Duration=160` })}\n  <recv response="200"/>`;
      if ('request' in s) return `${side.request({ method: s.request, cseq, ...(s.headers ? { headers: s.headers } : {}), ...(s.contentType ? { contentType: s.contentType } : {}), ...(s.body ? { body: s.body } : {}) })}\n  <recv response="${s.expect}"/>`;
      return `${side.request({ method: 'INVITE', cseq, contentType: 'application/sdp', body: SDP_OFFER(s.reinvite) })}
  <recv response="100" optional="true"/>
  <recv response="200"/>
${side.request({ method: 'ACK', cseq, once: true })}`;
    })
    .join('\n');
}

/** How a side's part ends: its own BYE (`bye`), or waiting for Ringside's (`wait-bye`). */
function hangUp(end: 'bye' | 'wait-bye', side: Side): string {
  return end === 'bye' ? `${side.request({ method: 'BYE', cseq: side.cseq + 1 })}\n  <recv response="200" crlf="true"/>` : `  <recv request="BYE"/>\n${OK_TO_LAST}`;
}

/**
 * The carrier (a UAC) calls `-s` from `-key from` with PCMA/PCMU/telephone-event, runs `steps` once
 * answered, then hangs up (`end: 'bye'`) or waits for Ringside's BYE (`'wait-bye'`). With `refused`, the
 * call is expected to fail with that status instead.
 */
export function carrierScenario(o: { steps?: Step[]; end?: 'bye' | 'wait-bye'; refused?: number; rtpPortKey?: boolean }): string {
  const uac: Side = { cseq: 1, request: uacRequest };
  const uri = 'sip:[service]@[remote_ip]:[remote_port]';
  // `rtpPortKey`: the offer names `-key rtp_port`, a socket the test holds, instead of sipp's own media port.
  const invite = `${uacRequest({ method: 'INVITE', cseq: 1, uri, contentType: 'application/sdp', body: SDP_OFFER('sendrecv', o.rtpPortKey ? '[rtp_port]' : '[media_port]') })}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>`;
  // RFC 3261 §17.1.1.3: the ACK of a non-2xx goes to the INVITE's Request-URI, outside any dialog.
  if (o.refused) return wrap(`${invite}\n  <recv response="${o.refused}"/>\n${uacRequest({ method: 'ACK', cseq: 1, uri, once: true })}`);
  const answered = `  <recv response="200" rtd="true" rrs="true"/>\n${uacRequest({ method: 'ACK', cseq: 1, once: true })}`;
  const steps = playSteps(o.steps ?? [], uac);
  return wrap(`${invite}\n${answered}\n${steps}\n${hangUp(o.end ?? 'bye', uac)}`);
}

/** A response to the last request received. `answer`: the INVITE's 180/200, with our To tag and Contact;
 *  a 200 to the INVITE is retransmitted until its ACK (`sdp` given). */
function reply(status: string, o: { answer?: boolean; sdp?: string } = {}): string {
  return message(`SIP/2.0 ${status}`, [
    '[last_Via:]',
    '[last_From:]',
    `[last_To:]${o.answer ? ';tag=[pid]SIPpTag01[call_number]' : ''}`,
    '[last_Call-ID:]',
    '[last_CSeq:]',
    ...(o.answer ? ['Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>'] : []),
  ], o.sdp ? { contentType: 'application/sdp', body: o.sdp } : { once: true });
}

/** The last 200 of a call (to a BYE), then a short wait for retransmissions. */
const OK_TO_LAST = `${reply('200 OK')}
  <timewait milliseconds="300"/>`;

/** The answering side's SDP: PCMU and telephone-event. */
const SDP_ANSWER = `v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15`;

/** What a party Ringside calls does once it answered. */
export interface AnsweringOptions {
  steps?: Step[];
  /** After the steps, this side REFERs the other party there (a blind transfer); Ringside accepts (202,
   *  NOTIFY) unless `referRefused` names the status it must answer instead; then Ringside's BYE. */
  referTo?: string;
  referRefused?: number;
  /** After the steps: wait for Ringside's BYE (the default) or hang up. */
  end?: 'bye' | 'wait-bye';
}

/**
 * A party Ringside calls (a registered phone on 127.0.0.1, or the carrier on 127.0.0.2 taking a forwarded
 * call or an originate's external side): rings, answers with PCMU + telephone-event, runs `steps` (DTMF,
 * audio, SIP INFO, re-INVITEs from this side), then REFERs, hangs up, or waits for Ringside's BYE.
 */
export function answeringScenario(o: AnsweringOptions): string {
  // Requests sent from this side of the dialog (INFO, re-INVITE, a blind transfer's REFER, RFC 3515, its
  // BYE) need the INVITE's addresses, and take CSeq numbers in order.
  const uas: Side = { cseq: 0, request: uasRequest };
  const steps = playSteps(o.steps ?? [], uas);
  const sends = o.referTo || o.end === 'bye' || o.steps?.some((st) => 'info' in st || 'reinvite' in st || 'request' in st);
  const capture = sends
    ? `>
    <action>
      <ereg regexp="sips?:[^>;]*" search_in="hdr" header="Contact:" check_it="true" assign_to="peer_contact"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="From:" check_it="true" assign_to="peer_from"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="To:" check_it="true" assign_to="peer_to"/>
    </action>
  </recv>`
    : '/>';
  const refer = o.referTo
    ? `${uasRequest({ method: 'REFER', cseq: ++uas.cseq, headers: [`Refer-To: <${o.referTo}>`, 'Referred-By: <sip:sipp@[local_ip]:[local_port]>'] })}
${o.referRefused ? `  <recv response="${o.referRefused}"/>` : `  <recv response="202"/>\n  <recv request="NOTIFY"/>\n${reply('200 OK')}`}
`
    : '';
  return wrap(`  <recv request="INVITE" crlf="true"${capture}
${reply('180 Ringing', { answer: true })}
  <pause milliseconds="200"/>
${reply('200 OK', { answer: true, sdp: SDP_ANSWER })}
  <recv request="INVITE" optional="true"/>
  <recv request="ACK" crlf="true"/>
${o.steps?.length ? '' : '  <recv request="ACK" optional="true"/>'}
${steps}
${refer}${hangUp(o.end ?? 'wait-bye', uas)}`);
}

function wrap(body: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="built by scenario-builder.ts">
${body}
</scenario>
`;
}

/** Writes scenarios into a temp dir removed after the test; returns the dir (for `sipp(..., { dir })`). */
export function scenarioDir(t: { after(fn: () => unknown): void }, scenarios: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-scenarios-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, xml] of Object.entries(scenarios)) writeFileSync(join(dir, name), xml);
  return dir;
}
