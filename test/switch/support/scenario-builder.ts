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

/** Steps after the call is up: play digits or audio, wait, put the other side on hold or take it off. */
export type Step =
  | { digits: string; gapMs?: number }
  | { audio: 'g711a' }
  | { pauseMs: number }
  | { reinvite: 'sendonly' | 'sendrecv' }
  /** A digit by SIP INFO (`application/dtmf-relay`, RFC 6086), from the answering side. */
  | { info: string }
  /** From the calling side: any in-dialog request (e.g. a malformed one) and the status it must get. */
  | { request: 'INFO' | 'REFER' | 'OPTIONS'; headers?: string[]; body?: string; contentType?: string; expect: number };

const SDP_OFFER = (direction = 'sendrecv') => `v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 0 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=${direction}`;

function playSteps(steps: Step[], uac: { cseq: number }): string {
  return steps
    .map((s) => {
      if ('pauseMs' in s) return `  <pause milliseconds="${s.pauseMs}"/>`;
      if ('audio' in s) return `  <nop><action><exec play_pcap_audio="${PCAPS}/${s.audio}.pcap"/></action></nop>`;
      if ('digits' in s)
        // No pause after the last digit: a BYE arriving during a pause would be unexpected to sipp.
        return [...s.digits].map((d) => `  <nop><action><exec play_pcap_audio="${dtmfPcap(d)}"/></action></nop>`).join(`\n  <pause milliseconds="${s.gapMs ?? 400}"/>\n`);
      if ('info' in s) {
        const cseq = ++uac.cseq;
        return `  <send retrans="500">
    <![CDATA[

      INFO [$peer_contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$peer_to];tag=[pid]SIPpTag01[call_number]
      To: [$peer_from]
      Call-ID: [call_id]
      CSeq: ${cseq} INFO
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${s.info}
      Duration=160

    ]]>
  </send>
  <recv response="200"/>`;
      }
      if ('request' in s) {
        const cseq = ++uac.cseq;
        const body = s.body ?? '';
        return `  <send retrans="500">
    <![CDATA[

      ${s.request} [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Pat Caller" <sip:[from]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq} ${s.request}
      Contact: <sip:[from]@[local_ip]:[local_port]>
      [routes]
      Max-Forwards: 70
${(s.headers ?? []).map((h) => `      ${h}\n`).join('')}${s.contentType ? `      Content-Type: ${s.contentType}\n` : ''}      Content-Length: [len]

${body ? `      ${body}\n` : ''}
    ]]>
  </send>
  <recv response="${s.expect}"/>`;
      }
      const cseq = ++uac.cseq;
      return `  <send retrans="500">
    <![CDATA[

      INVITE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Pat Caller" <sip:[from]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq} INVITE
      Contact: <sip:[from]@[local_ip]:[local_port]>
      [routes]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      ${SDP_OFFER(s.reinvite)}

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
  <send>
    <![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Pat Caller" <sip:[from]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq} ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>`;
    })
    .join('\n');
}

/**
 * The carrier (a UAC) calls `-s` from `-key from` with PCMA/PCMU/telephone-event, runs `steps` once
 * answered, then hangs up (`end: 'bye'`) or waits for Ringside's BYE (`'wait-bye'`). With `refused`, the
 * call is expected to fail with that status instead.
 */
export function carrierScenario(o: { steps?: Step[]; end?: 'bye' | 'wait-bye'; refused?: number }): string {
  const uac = { cseq: 1 };
  const invite = `  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Pat Caller" <sip:[from]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[from]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      ${SDP_OFFER()}

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>`;
  if (o.refused) return wrap(`${invite}\n  <recv response="${o.refused}"/>\n  <send>\n    <![CDATA[\n\n      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n      From: "Pat Caller" <sip:[from]@[local_ip]>;tag=[pid]SIPpTag00[call_number]\n      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n      Call-ID: [call_id]\n      CSeq: 1 ACK\n      Max-Forwards: 70\n      Content-Length: 0\n\n    ]]>\n  </send>`);
  const answered = `  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Pat Caller" <sip:[from]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>`;
  const steps = playSteps(o.steps ?? [], uac);
  const end =
    (o.end ?? 'bye') === 'bye'
      ? `  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Pat Caller" <sip:[from]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${uac.cseq + 1} BYE
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>`
      : `  <recv request="BYE"/>
${OK_TO_LAST}`;
  return wrap(`${invite}\n${answered}\n${steps}\n${end}`);
}

const OK_TO_LAST = `  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <timewait milliseconds="300"/>`;

/**
 * A party Ringside calls (a registered phone on 127.0.0.1, or the carrier on 127.0.0.2 taking a forwarded
 * call): rings, answers with PCMU + telephone-event, runs `steps` (DTMF, audio), then waits for Ringside's
 * BYE.
 */
/** `referTo`: after the steps, this side REFERs the other party there (a blind transfer); Ringside accepts
 *  (202, NOTIFY) unless `referRefused` names the status it must answer instead. */
export function answeringScenario(o: { steps?: Step[]; referTo?: string; referRefused?: number }): string {
  // Requests sent from this side of the dialog (INFO, a blind transfer's REFER, RFC 3515) need the INVITE's
  // addresses, and take CSeq numbers in order.
  const uas = { cseq: 0 };
  const steps = playSteps(o.steps ?? [], uas);
  const capture = o.referTo || o.steps?.some((st) => 'info' in st)
    ? `>
    <action>
      <ereg regexp="sips?:[^>;]*" search_in="hdr" header="Contact:" check_it="true" assign_to="peer_contact"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="From:" check_it="true" assign_to="peer_from"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="To:" check_it="true" assign_to="peer_to"/>
    </action>
  </recv>`
    : '/>';
  const refer = o.referTo
    ? `  <send retrans="500">
    <![CDATA[

      REFER [$peer_contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$peer_to];tag=[pid]SIPpTag01[call_number]
      To: [$peer_from]
      Call-ID: [call_id]
      CSeq: ${uas.cseq + 1} REFER
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Refer-To: <${o.referTo}>
      Referred-By: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
${o.referRefused ? `  <recv response="${o.referRefused}"/>` : `  <recv response="202"/>\n  <recv request="NOTIFY"/>\n${OK_TO_LAST.replace('\n  <timewait milliseconds="300"/>', '')}`}
`
    : '';
  return wrap(`  <recv request="INVITE" crlf="true"${capture}
  <send>
    <![CDATA[

      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="200"/>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15

    ]]>
  </send>
  <recv request="INVITE" optional="true"/>
  <recv request="ACK" crlf="true"/>
${o.steps?.length ? '' : '  <recv request="ACK" optional="true"/>'}
${steps}
${refer}  <recv request="BYE"/>
${OK_TO_LAST}`);
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
