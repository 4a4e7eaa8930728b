import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BxmlError, MAX_BXML_BYTES, parseBxml } from './bxml-parser.js';

const BASE = 'http://app.example/voice/start';
const refused = (xml: string, message: RegExp) => assert.throws(() => parseBxml(xml, BASE), (err: unknown) => err instanceof BxmlError && message.test(err.message));

test('every verb with its attributes, nested prompts, relative URLs resolved against the document', () => {
  const verbs = parseBxml(
    `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <SpeakSentence gender="male" locale="en_US" voice="Paul">Hello   there</SpeakSentence>
  <PlayAudio volume="-2" repeatCount="2">https://audio.example/a.wav</PlayAudio>
  <Gather requestUrl="gathered?x=1&amp;y=2" requestUrlTimeout="5000" terminatingDigits="*" maxDigits="4" interDigitTimeout="7" bargeable="true" tag="pin">
    <SpeakSentence>Enter your PIN</SpeakSentence>
    <PlayAudio>/beep.wav</PlayAudio>
  </Gather>
  <Record maxDuration="30" terminatingDigits="#" fileFormat="wav" transcribe="false"/>
  <Pause length="2"/>
  <SendDtmf>12w#</SendDtmf>
  <Transfer transferTo="+15557770005" transferCallerId="+15550104" callTimeout="20" requestUrl="/done" tag="t1">
    <PhoneNumber>+15557770006</PhoneNumber>
    <SpeakSentence>Call from Ringside</SpeakSentence>
    <Record/>
  </Transfer>
  <Redirect requestUrl="https://other.example/next" requestUrlTimeout="3000" context="c-1"/>
  <Hangup/>
</Response>`,
    BASE,
  );
  assert.deepEqual(verbs, [
    { verb: 'SpeakSentence', sentence: 'Hello there', gender: 'male', locale: 'en_US', voice: 'paul' },
    { verb: 'PlayAudio', url: 'https://audio.example/a.wav', repeatCount: 2, volume: -2 },
    {
      verb: 'Gather',
      requestUrl: 'http://app.example/voice/gathered?x=1&y=2',
      requestUrlTimeoutMs: 5000,
      terminatingDigits: '*',
      maxDigits: 4,
      interDigitTimeoutSeconds: 7,
      tag: 'pin',
      prompts: [
        { verb: 'SpeakSentence', sentence: 'Enter your PIN' },
        { verb: 'PlayAudio', url: 'http://app.example/beep.wav', repeatCount: 1 },
      ],
    },
    { verb: 'Record', maxDurationSeconds: 30, fileFormat: 'wav', terminatingDigits: '#' },
    { verb: 'Pause', lengthSeconds: 2 },
    { verb: 'SendDtmf', digits: '12w#' },
    {
      verb: 'Transfer',
      numbers: ['+15557770005', '+15557770006'],
      transferCallerId: '+15550104',
      callTimeoutSeconds: 20,
      requestUrl: 'http://app.example/done',
      tag: 't1',
      whisper: [{ verb: 'SpeakSentence', sentence: 'Call from Ringside' }],
      record: { verb: 'Record', maxDurationSeconds: 60, fileFormat: 'wav' },
    },
    { verb: 'Redirect', requestUrl: 'https://other.example/next', requestUrlTimeoutMs: 3000 },
    { verb: 'Hangup' },
  ]);
});

test('defaults: Gather (#, 128 digits, 5 s), Pause 1 s, an empty <Response/>', () => {
  assert.deepEqual(parseBxml('<Response><Gather requestUrl="http://a/g"/><Pause/></Response>', BASE), [
    { verb: 'Gather', requestUrl: 'http://a/g', terminatingDigits: '#', maxDigits: 128, interDigitTimeoutSeconds: 5, prompts: [] },
    { verb: 'Pause', lengthSeconds: 1 },
  ]);
  assert.deepEqual(parseBxml('<Response/>', BASE), []);
});

test('malformed XML is refused with the reason', () => {
  refused('<Response><SpeakSentence>Hi</Response>', /not well-formed/);
  refused('<Response>', /not well-formed/);
  refused('', /not well-formed|no root/);
  refused('hello', /not well-formed/);
  refused('<Response><Hangup/></Response><Response/>', /not well-formed/);
  refused('<Response><SpeakSentence>&bogus;</SpeakSentence></Response>', /not well-formed/);
});

test('unknown verbs, attributes, wrong nesting and bad values are refused', () => {
  refused('<Response><Dial>+1555</Dial></Response>', /unknown verb <Dial>/);
  refused('<Speak/>', /root element is <Speak>/);
  refused('<Response><SpeakSentence colour="red">Hi</SpeakSentence></Response>', /must NOT have additional properties 'colour'/);
  refused('<Response><Gather/></Response>', /requestUrl/);
  refused('<Response><Gather requestUrl="http://a/g"><Hangup/></Gather></Response>', /<Hangup> cannot be nested in <Gather>/);
  refused('<Response><Gather requestUrl="http://a/g"><Bogus/></Gather></Response>', /unknown verb <Bogus>/);
  refused('<Response><PhoneNumber>+1</PhoneNumber></Response>', /not a verb of a <Response>/);
  refused('<Response><Pause length="4000"/></Response>', /outside 0…3600/);
  refused('<Response><PlayAudio volume="9">http://a/x.wav</PlayAudio></Response>', /outside -4…4/);
  refused('<Response><PlayAudio>ftp://a/x.wav</PlayAudio></Response>', /not http/);
  refused('<Response><SendDtmf>12x</SendDtmf></Response>', /SendDtmf/);
  refused('<Response><SendDtmf>' + '1'.repeat(93) + '</SendDtmf></Response>', /SendDtmf/);
  refused('<Response><SpeakSentence/></Response>', /no text/);
  refused('<Response><Transfer/></Response>', /needs transferTo/);
  refused('<Response><Transfer transferTo="mars"/></Response>', /transferTo/);
  refused('<Response>stray<Hangup/></Response>', /text outside any verb/);
  refused('<!DOCTYPE Response [<!ENTITY a "b">]><Response/>', /DOCTYPE/);
});

test('bounds: a 1 MiB document is refused unread, a 1,000-deep one at the depth bound, quickly', () => {
  const big = '<Response>' + '<Pause/>'.repeat(150_000) + '</Response>';
  assert.ok(big.length > 1024 * 1024);
  let t0 = performance.now();
  refused(big, new RegExp(`larger than ${MAX_BXML_BYTES} bytes`));
  assert.ok(performance.now() - t0 < 50, 'refused before parsing');
  const deep = '<Response>' + '<a>'.repeat(999) + '</a>'.repeat(999) + '</Response>';
  assert.ok(Buffer.byteLength(deep) <= MAX_BXML_BYTES);
  t0 = performance.now();
  refused(deep, /nested deeper than 8/);
  assert.ok(performance.now() - t0 < 50);
  refused('<Response>' + '<Hangup/>'.repeat(201) + '</Response>', /more than 200 elements/);
});
