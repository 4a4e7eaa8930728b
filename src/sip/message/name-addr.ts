import { SipParseError } from '../errors.js';
import { formatParams, isToken, isWs, parseParams, quote, skipQuoted, unquote } from './lexer.js';
import { formatUri, parseUri, type SipUri } from './uri.js';

/**
 * A From/To/Contact/Route-style value: `( name-addr / addr-spec ) *( SEMI param )` (RFC 3261 §20.10, §25.1).
 */
export interface NameAddr {
  /** Display name without quotes or escapes, if any. */
  displayName?: string;
  uri: SipUri;
  /** Header parameters (tag, expires, q, lr of Route values live in the URI). */
  params: Map<string, string | null>;
}

const LWS_RE = /[ \t]+/;
const ADDR_SPEC_STOP_RE = /[\s,?]/;

function fail(what: string, value: string): never {
  throw new SipParseError(`invalid name-addr (${what}): ${value.length > 200 ? value.slice(0, 200) + '…' : value}`);
}

/**
 * Parses one name-addr or addr-spec with parameters.
 * - `"quoted" <uri>` and `token token <uri>`; LWS between display name and `<` is optional (RFC 4475 §3.1.1.6).
 * - no LWS just inside `<` `>` (§25.1 LAQUOT/RAQUOT; RFC 4475 §3.1.2.14 badaspec).
 * - an unquoted display name must be tokens (RFC 4475 §3.1.2.15 baddn).
 * - an addr-spec (no `<>`) cannot contain `;` `,` `?` — parameters after it belong to the header field
 *   (§20.10; RFC 4475 §3.1.2.13 regbadct).
 */
export function parseNameAddr(value: string): NameAddr {
  const s = value.trim();
  if (s === '') fail('empty', value);
  let i = 0;
  let displayName: string | undefined;
  let uriText: string;
  let rest: string;
  if (s[0] === '"') {
    const end = skipQuoted(s, 0);
    if (end < 0) fail('unterminated quoted string', value);
    displayName = unquote(s.slice(0, end));
    i = end;
    while (isWs(s[i])) i++;
    if (s[i] !== '<') fail('expected <', value);
  } else {
    const lt = s.indexOf('<');
    if (lt >= 0) {
      const dn = s.slice(0, lt).trim();
      if (dn !== '') {
        if (!dn.split(LWS_RE).every(isToken)) fail('display name', value);
        displayName = dn;
      }
      i = lt;
    } else {
      // addr-spec: URI up to the first ";" (header params follow).
      const semi = s.indexOf(';');
      uriText = semi >= 0 ? s.slice(0, semi).trim() : s;
      rest = semi >= 0 ? s.slice(semi) : '';
      if (ADDR_SPEC_STOP_RE.test(uriText)) fail('addr-spec must be enclosed in <> when it has ? or ,', value);
      return finish(undefined, uriText, rest, value);
    }
  }
  // s[i] === '<'
  const gt = s.indexOf('>', i);
  if (gt < 0) fail('unterminated <', value);
  uriText = s.slice(i + 1, gt);
  if (uriText === '' || isWs(uriText[0]) || isWs(uriText[uriText.length - 1])) fail('whitespace inside <>', value);
  rest = s.slice(gt + 1);
  return finish(displayName, uriText, rest, value);
}

function finish(displayName: string | undefined, uriText: string, rest: string, value: string): NameAddr {
  const uri = parseUri(uriText);
  const params = parseParams(rest);
  if (!params) fail('parameters', value);
  const out: NameAddr = { uri, params };
  if (displayName !== undefined) out.displayName = displayName;
  return out;
}

export function formatNameAddr(na: NameAddr): string {
  let out = '';
  if (na.displayName !== undefined && na.displayName !== '') {
    out += (/^[A-Za-z0-9\-.!%*_+`'~ ]+$/.test(na.displayName) ? na.displayName : quote(na.displayName)) + ' ';
  }
  out += `<${formatUri(na.uri)}>` + formatParams(na.params);
  return out;
}
