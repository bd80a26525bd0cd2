/**
 * Where a Redis URL keeps its password, found by reading the URL's structure rather than by
 * matching a pattern, so that a password with unencoded special characters is still covered
 * whole:
 *
 *   redis://alice:top/se#cr?et@host:6379/0
 *   ^scheme ^authority      ^last '@': the user info ends here
 *                 ^first ':' of the user info: the password starts here
 *
 * A URL parser (WHATWG) ends the authority at the first '/', '?' or '#', and the user info at the
 * last '@' inside it. A password written without percent-encoding breaks the first rule: the
 * parser then sees a port 'top' (and fails), or worse, a valid URL whose path, query or fragment
 * holds the rest of the password. The user meant the user info to run up to the '@' before the
 * host, so redaction takes the last '@' of the whole URL as its end: a URL without credentials
 * has no '@' after its authority, and one that has (a parameter with a raw '@') is refused by
 * parseUrl anyway, so widening never hides a secret and only ever over-redacts a refused URL.
 */

/** The span [start, end) of the password in `url`, or undefined when it has none. */
export function passwordSpan(url: string): { start: number; end: number } | undefined {
  const authority = authorityStart(url);
  const lastAt = url.lastIndexOf('@');
  if (lastAt >= authority) {
    const colon = url.indexOf(':', authority);
    if (colon === -1 || colon >= lastAt) return undefined; // a user name alone: not a secret
    return { start: colon + 1, end: lastAt };
  }
  // No '@': no user info by any reading. But a URL that does not parse may be a password whose
  // '@host' was forgotten (`redis://:s3cret`, which a parser reads as the port 's3cret'): hide
  // everything after the host's first ':' then.
  if (URL.canParse(url)) return undefined;
  let from = authority;
  if (url[from] === '[') {
    const close = url.indexOf(']', from);
    if (close !== -1) from = close;
  }
  const colon = url.indexOf(':', from);
  return colon === -1 || colon === url.length - 1 ? undefined : { start: colon + 1, end: url.length };
}

/** The URL with its password replaced by ***, for messages and displays. */
export function redactUrl(url: string): string {
  const span = passwordSpan(url);
  return span === undefined ? url : `${url.slice(0, span.start)}***${url.slice(span.end)}`;
}

/**
 * Where the authority begins: after `redis:`, `rediss:` or `unix:` and the slashes that follow.
 * Any other prefix is not a scheme romaine reads (the URL is refused), and may be the start of
 * the credentials themselves (`default:pw@host:6379`, which a parser reads as the scheme
 * 'default:'), so the authority is taken to start at the beginning: what a person wrote before
 * the last '@' is treated as user info, whatever a parser makes of it.
 */
function authorityStart(url: string): number {
  let i = 0;
  if (!isAlpha(url.charCodeAt(0))) return 0;
  while (i < url.length && isSchemeChar(url.charCodeAt(i))) i++;
  if (url[i] !== ':' || !KNOWN_SCHEMES.has(url.slice(0, i).toLowerCase())) return 0;
  i++;
  while (url[i] === '/' || url[i] === '\\') i++;
  return i;
}

const KNOWN_SCHEMES = new Set(['redis', 'rediss', 'unix']);

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isSchemeChar(c: number): boolean {
  return isAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e; // + - .
}
