import { createHash, timingSafeEqual } from 'node:crypto';

export interface ExporterAuth {
  readonly bearerToken?: string | undefined;
  readonly basic?: { readonly user: string; readonly password: string } | undefined;
}

/** The realm browsers show when they ask for the basic credentials. */
export const AUTH_REALM = 'mist-wan-exporter';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether `given` equals `expected`, in time that does not depend on where they differ nor on their lengths:
 * both are hashed to 32 bytes first, so timingSafeEqual always compares equal-length buffers (a length check
 * before it would answer a wrong-length guess sooner, telling the guesser the secret's length).
 */
export function credentialsMatch(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Auth is on when a bearer token or basic credentials are configured. */
export function authConfigured(auth: ExporterAuth | undefined): boolean {
  return Boolean(auth && (auth.bearerToken || auth.basic));
}

/** `Scheme credentials` (the scheme case-insensitive, RFC 9110), or null when the header is not of that form. */
function parseAuthorization(header: string): { scheme: string; credentials: string } | null {
  const value = header.trim();
  const space = value.indexOf(' ');
  if (space <= 0) return null;
  const scheme = value.slice(0, space);
  const credentials = value.slice(space + 1).trim();
  return /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/.test(scheme) && credentials !== '' ? { scheme: scheme.toLowerCase(), credentials } : null;
}

/** Strict base64 (what browsers and Prometheus send): anything else is malformed, not decoded leniently. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Whether an Authorization header carries the configured credentials. Always true when no auth is configured.
 * Every configured method is compared (no early return between them), each in constant time.
 */
export function authorized(header: string | undefined, auth: ExporterAuth | undefined): boolean {
  if (!authConfigured(auth)) return true;
  const parsed = header === undefined ? null : parseAuthorization(header);
  const bearer = parsed?.scheme === 'bearer' ? parsed.credentials : '';
  const basic = parsed?.scheme === 'basic' && BASE64.test(parsed.credentials) ? Buffer.from(parsed.credentials, 'base64').toString('utf8') : '';
  // Both computed before either is looked at: which method matched takes the same time as none.
  const bearerOk = auth!.bearerToken ? credentialsMatch(bearer, auth!.bearerToken) : false;
  const basicOk = auth!.basic ? credentialsMatch(basic, `${auth!.basic.user}:${auth!.basic.password}`) : false;
  return bearerOk || basicOk;
}

/** WWW-Authenticate for a 401: the schemes configured (basic first: browsers prompt for it). */
export function challenge(auth: ExporterAuth | undefined): string {
  const schemes = [...(auth?.basic ? [`Basic realm="${AUTH_REALM}", charset="UTF-8"`] : []), ...(auth?.bearerToken ? [`Bearer realm="${AUTH_REALM}"`] : [])];
  return schemes.join(', ');
}
