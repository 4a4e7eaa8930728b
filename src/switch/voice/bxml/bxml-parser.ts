/**
 * BXML text → the verbs to run (bxml-verbs.ts), or a named error saying why not (spec bandwidth §1.2:
 * the reply to `answer` and later events is a BXML document of at most 16 KB).
 *
 * The XML is read by saxes (a small, strict, well-formedness-checking streaming parser with one
 * dependency; docs/voice-api.md "BXML" says why). The work is bounded before and during the parse: a text
 * over 16 KB is refused unread, a DOCTYPE is refused (no entity expansion, no DTD), and the parse stops at
 * the first element deeper than MAX_DEPTH or past MAX_ELEMENTS. Each verb's attributes are then checked
 * against a JSON Schema (unknown attributes and verbs are errors), and nesting against the verb's list.
 */
import { SaxesParser } from 'saxes';
import { Ajv, type ValidateFunction } from 'ajv';
import type { BxmlVerb, GatherVerb, PauseVerb, PlayAudioVerb, PromptVerb, RecordVerb, RedirectVerb, SendDtmfVerb, SpeakSentenceVerb, TransferVerb } from './bxml-verbs.js';

/** spec bandwidth §1.2: a BXML document is at most 16 KB. */
export const MAX_BXML_BYTES = 16 * 1024;
/** Response > Transfer > Record is the deepest document the verbs allow (3); a little slack, then stop. */
export const MAX_BXML_DEPTH = 8;
/** Elements in one document: far more than any call flow needs, few enough to bound the work. */
export const MAX_BXML_ELEMENTS = 200;
/** spec bandwidth §3.4: a sentence is at most 1000 characters. */
const MAX_SENTENCE = 1000;
/** Docs of `<Transfer>`: at most 7 numbers, transferTo included. */
const MAX_TRANSFER_NUMBERS = 7;

export class BxmlError extends Error {
  override readonly name = 'BxmlError';
}

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

/**
 * Parses a document. `baseUrl` (the URL it was fetched from) resolves relative `requestUrl`s. Throws
 * BxmlError for anything that is not a well-formed, valid BXML document within the bounds.
 */
export function parseBxml(text: string, baseUrl: string): BxmlVerb[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_BXML_BYTES) throw new BxmlError(`the document is larger than ${MAX_BXML_BYTES} bytes`);
  const root = readXml(text);
  if (root.name !== 'Response') throw new BxmlError(`the root element is <${root.name}>, not <Response>`);
  if (Object.keys(root.attrs).length > 0) throw new BxmlError('<Response> takes no attributes');
  if (root.text.trim() !== '') throw new BxmlError('<Response> contains text outside any verb');
  return root.children.map((e) => verbOf(e, baseUrl));
}

/** Well-formed XML → an element tree, with the bounds above. */
function readXml(text: string): Element {
  const parser = new SaxesParser({ xmlns: false, position: false });
  const stack: Element[] = [];
  let root: Element | undefined;
  let count = 0;
  parser.on('doctype', () => {
    throw new BxmlError('a DOCTYPE is not allowed in BXML');
  });
  parser.on('opentag', (tag) => {
    if (++count > MAX_BXML_ELEMENTS) throw new BxmlError(`more than ${MAX_BXML_ELEMENTS} elements`);
    if (stack.length >= MAX_BXML_DEPTH) throw new BxmlError(`elements nested deeper than ${MAX_BXML_DEPTH}`);
    const el: Element = { name: tag.name, attrs: { ...(tag.attributes as Record<string, string>) }, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('text', (t) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  });
  parser.on('cdata', (t) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('error', (err) => {
    throw new BxmlError(`not well-formed XML: ${err.message}`);
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof BxmlError) throw err;
    throw new BxmlError(`not well-formed XML: ${(err as Error).message}`);
  }
  if (!root) throw new BxmlError('the document has no root element');
  return root;
}

// ── attribute schemas ──────────────────────────────────────────────────────────────────────────

const int = (max: number, min = 0) => ({ type: 'string', pattern: min < 0 ? '^-?[0-9]{1,6}$' : '^[0-9]{1,6}$', 'x-min': min, 'x-max': max });
const bool = { type: 'string', enum: ['true', 'false', 'TRUE', 'FALSE', 'True', 'False'] };
const url = { type: 'string', minLength: 1, maxLength: 2048 };
const tag = { type: 'string', maxLength: 256 };
const timeoutMs = int(30_000, 1);

/** Documented attributes of each verb (the provider's v1 BXML). Some are accepted and have no effect
 *  (docs/voice-api.md "BXML" says which); any other attribute is an error. */
const ATTRIBUTES: Record<string, { properties: Record<string, object>; required?: string[] }> = {
  SpeakSentence: { properties: { gender: { type: 'string', enum: ['male', 'female', 'Male', 'Female'] }, locale: { type: 'string', pattern: '^[A-Za-z]{2}([_-][A-Za-z]{2})?$' }, voice: { type: 'string', pattern: '^[A-Za-z]{1,32}$' } } },
  PlayAudio: { properties: { volume: int(4, -4), repeatCount: int(30, 1), delayBeforeRepeat: int(60) } },
  Gather: {
    properties: { requestUrl: url, requestUrlTimeout: timeoutMs, terminatingDigits: { type: 'string', pattern: '^[0-9*#A-D]{0,12}$' }, maxDigits: int(128, 1), interDigitTimeout: int(30, 1), bargeable: bool, tag },
    required: ['requestUrl'],
  },
  Transfer: {
    properties: { transferTo: { type: 'string', pattern: '^(\\+?[0-9]{1,15}|sips?:[^\\s<>]{1,256})$' }, transferCallerId: { type: 'string', pattern: '^(private|\\+?[0-9]{1,15})$' }, callTimeout: int(300, 1), requestUrl: url, requestUrlTimeout: timeoutMs, tag },
  },
  PhoneNumber: { properties: {} },
  Record: {
    properties: {
      requestUrl: url,
      requestUrlTimeout: timeoutMs,
      fileFormat: { type: 'string', enum: ['wav', 'mp3'] },
      transcribe: bool,
      transcribeCallbackUrl: url,
      multiChannel: bool,
      maxDuration: int(3600, 1),
      silenceTimeout: int(60),
      silenceThreshold: int(100_000),
      terminatingDigits: { type: 'string', pattern: '^[0-9*#]{1,12}$' },
    },
  },
  Hangup: { properties: {} },
  Pause: { properties: { length: int(3600) } },
  Redirect: { properties: { requestUrl: url, requestUrlTimeout: timeoutMs, context: { type: 'string', maxLength: 128 } }, required: ['requestUrl'] },
  SendDtmf: { properties: {} },
};

const ajv = new Ajv({ allErrors: false, strict: false });
const VALIDATORS = new Map<string, ValidateFunction>(
  Object.entries(ATTRIBUTES).map(([verb, s]) => [verb, ajv.compile({ type: 'object', properties: s.properties, required: s.required ?? [], additionalProperties: false })]),
);

function checkAttributes(e: Element): void {
  const validate = VALIDATORS.get(e.name);
  if (!validate) throw new BxmlError(`unknown verb <${e.name}>`);
  if (!validate(e.attrs)) {
    const err = validate.errors?.[0];
    const where = err?.instancePath ? ` attribute ${err.instancePath.slice(1)}` : '';
    const extra = err?.keyword === 'additionalProperties' ? ` '${String((err.params as { additionalProperty?: string }).additionalProperty)}'` : '';
    throw new BxmlError(`<${e.name}>${where}: ${err?.message ?? 'invalid'}${extra}`);
  }
  // The integer bounds JSON Schema cannot state on strings (`x-min`/`x-max` above).
  for (const [name, value] of Object.entries(e.attrs)) {
    const p = ATTRIBUTES[e.name]!.properties[name] as { 'x-min'?: number; 'x-max'?: number };
    if (p['x-max'] === undefined) continue;
    const n = Number(value);
    if (n < (p['x-min'] ?? 0) || n > p['x-max']) throw new BxmlError(`<${e.name}> attribute ${name}: ${value} is outside ${p['x-min'] ?? 0}…${p['x-max']}`);
  }
}

// ── verbs ──────────────────────────────────────────────────────────────────────────────────────

function verbOf(e: Element, baseUrl: string, allowed?: readonly string[], parent?: string): BxmlVerb {
  if (allowed && !allowed.includes(e.name)) {
    if (!VALIDATORS.has(e.name)) throw new BxmlError(`unknown verb <${e.name}>`);
    throw new BxmlError(`<${e.name}> cannot be nested in <${parent}>`);
  }
  checkAttributes(e);
  const a = e.attrs;
  const leaf = () => {
    if (e.children.length > 0) throw new BxmlError(`<${e.name}> cannot contain <${e.children[0]!.name}>`);
  };
  const noText = () => {
    if (e.text.trim() !== '') throw new BxmlError(`<${e.name}> takes no text`);
  };
  switch (e.name) {
    case 'SpeakSentence': {
      leaf();
      const sentence = e.text.trim().replace(/\s+/g, ' ');
      if (sentence === '') throw new BxmlError('<SpeakSentence> has no text');
      if (sentence.length > MAX_SENTENCE) throw new BxmlError(`<SpeakSentence> is longer than ${MAX_SENTENCE} characters`);
      const v: SpeakSentenceVerb = { verb: 'SpeakSentence', sentence };
      if (a.gender) v.gender = a.gender.toLowerCase() as 'male' | 'female';
      if (a.locale) v.locale = a.locale;
      if (a.voice) v.voice = a.voice.toLowerCase();
      return v;
    }
    case 'PlayAudio': {
      leaf();
      const v: PlayAudioVerb = { verb: 'PlayAudio', url: httpUrl(e.text.trim(), baseUrl, '<PlayAudio>'), repeatCount: a.repeatCount ? Number(a.repeatCount) : 1 };
      if (a.volume) v.volume = Number(a.volume);
      return v;
    }
    case 'Gather': {
      noText();
      const v: GatherVerb = {
        verb: 'Gather',
        requestUrl: httpUrl(a.requestUrl!, baseUrl, '<Gather> requestUrl'),
        terminatingDigits: a.terminatingDigits ?? '#',
        maxDigits: a.maxDigits ? Number(a.maxDigits) : 128,
        interDigitTimeoutSeconds: a.interDigitTimeout ? Number(a.interDigitTimeout) : 5,
        prompts: e.children.map((c) => verbOf(c, baseUrl, ['SpeakSentence', 'PlayAudio'], 'Gather') as PromptVerb),
      };
      if (a.requestUrlTimeout) v.requestUrlTimeoutMs = Number(a.requestUrlTimeout);
      if (a.tag !== undefined) v.tag = a.tag;
      return v;
    }
    case 'Transfer': {
      noText();
      const v: TransferVerb = { verb: 'Transfer', numbers: a.transferTo ? [a.transferTo] : [], whisper: [] };
      for (const c of e.children) {
        if (c.name === 'PhoneNumber') {
          checkAttributes(c);
          if (c.children.length > 0) throw new BxmlError('<PhoneNumber> cannot contain elements');
          const n = c.text.trim();
          if (!/^(\+?[0-9]{1,15}|sips?:[^\s<>]{1,256})$/.test(n)) throw new BxmlError(`<PhoneNumber> '${n.slice(0, 40)}' is not an E.164 number or SIP address`);
          v.numbers.push(n);
          continue;
        }
        const inner = verbOf(c, baseUrl, ['SpeakSentence', 'PlayAudio', 'Record'], 'Transfer');
        if (inner.verb === 'Record') {
          if (v.record) throw new BxmlError('<Transfer> takes one <Record>');
          v.record = inner;
        } else v.whisper.push(inner as PromptVerb);
      }
      if (v.numbers.length === 0) throw new BxmlError('<Transfer> needs transferTo or a <PhoneNumber>');
      if (v.numbers.length > MAX_TRANSFER_NUMBERS) throw new BxmlError(`<Transfer> has more than ${MAX_TRANSFER_NUMBERS} numbers`);
      if (a.transferCallerId) v.transferCallerId = a.transferCallerId;
      if (a.callTimeout) v.callTimeoutSeconds = Number(a.callTimeout);
      if (a.requestUrl) v.requestUrl = httpUrl(a.requestUrl, baseUrl, '<Transfer> requestUrl');
      if (a.requestUrlTimeout) v.requestUrlTimeoutMs = Number(a.requestUrlTimeout);
      if (a.tag !== undefined) v.tag = a.tag;
      return v;
    }
    case 'Record': {
      leaf();
      noText();
      const v: RecordVerb = { verb: 'Record', maxDurationSeconds: a.maxDuration ? Number(a.maxDuration) : 60, fileFormat: (a.fileFormat as 'wav' | 'mp3' | undefined) ?? 'wav' };
      if (a.terminatingDigits) v.terminatingDigits = a.terminatingDigits;
      return v;
    }
    case 'Hangup':
      leaf();
      noText();
      return { verb: 'Hangup' };
    case 'Pause': {
      leaf();
      noText();
      const v: PauseVerb = { verb: 'Pause', lengthSeconds: a.length ? Number(a.length) : 1 };
      return v;
    }
    case 'Redirect': {
      leaf();
      noText();
      const v: RedirectVerb = { verb: 'Redirect', requestUrl: httpUrl(a.requestUrl!, baseUrl, '<Redirect> requestUrl') };
      if (a.requestUrlTimeout) v.requestUrlTimeoutMs = Number(a.requestUrlTimeout);
      return v;
    }
    case 'SendDtmf': {
      leaf();
      const digits = e.text.trim();
      // spec bandwidth §3.5: up to 92 of [A-D0-9#*,wW].
      if (!/^[A-D0-9#*,wW]{1,92}$/.test(digits)) throw new BxmlError('<SendDtmf> needs 1 to 92 of 0-9 * # A-D , w W');
      const v: SendDtmfVerb = { verb: 'SendDtmf', digits };
      return v;
    }
    default:
      throw new BxmlError(`<${e.name}> is not a verb of a <Response>`);
  }
}

/** An absolute http(s) URL, relative ones resolved against the document's own URL. */
function httpUrl(text: string, baseUrl: string, what: string): string {
  let u: URL;
  try {
    u = new URL(text, baseUrl);
  } catch {
    throw new BxmlError(`${what} '${text.slice(0, 80)}' is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BxmlError(`${what} '${text.slice(0, 80)}' is not http(s)`);
  return u.toString();
}
