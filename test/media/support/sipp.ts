/**
 * Runs sipp as a UAC against the fake switch: INVITE with an SDP offer, ACK, a list of play_pcap_audio
 * actions, BYE. The scenario is generated per test so the pcaps and codecs are visible in the test.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function uacScenario(opts: { payloads: string; rtpmaps: string[]; pcaps: { path: string; pauseMs: number }[] }): string {
  const plays = opts.pcaps
    .map((p) => `  <nop><action><exec play_pcap_audio="${p.path}"/></action></nop>\n  <pause milliseconds="${p.pauseMs}"/>`)
    .join('\n');
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="ringside media test">
  <send retrans="500">
    <![CDATA[
      INVITE sip:ringside@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:ringside@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP ${opts.payloads}
${opts.rtpmaps.map((r) => `      a=${r}`).join('\n')}
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"/>
  <send>
    <![CDATA[
      ACK sip:ringside@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:ringside@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
${plays}
  <send retrans="500">
    <![CDATA[
      BYE sip:ringside@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:ringside@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
`;
}

/** Runs one call; resolves with sipp's exit code and output. Always kills sipp by `timeoutMs`. */
export async function runSipp(scenarioXml: string, sipPort: number, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rs-sipp-'));
  try {
    const sf = join(dir, 'uac.xml');
    await writeFile(sf, scenarioXml);
    // Ports away from the engine's test ranges (30000+) and baresip's (22000-28000).
    const mediaPort = 20000 + 2 * Math.floor(Math.random() * 500);
    const args = ['-sf', sf, '-m', '1', '-i', '127.0.0.1', '-p', String(sipPortLocal()), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-timeout', `${Math.round(timeoutMs / 1000)}s`, '-nostdin', '-trace_err', '-error_file', join(dir, 'err.log'), `127.0.0.1:${sipPort}`];
    const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    return { code, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function sipPortLocal(): number {
  return 29001 + 2 * Math.floor(Math.random() * 450);
}
