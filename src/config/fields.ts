import { isIP } from 'node:net';
import { z } from 'zod';
import { parseCircuitRoles } from '../collect/circuit-roles.js';
import { parseSiteTerms } from '../collect/site-filter.js';
import { FAMILY_NAMES } from '../families/registry.js';
import { closest } from './similar.js';

/**
 * Leaf parsers shared by the config sections. Each takes the raw string (undefined
 * when unset) and reports problems without quoting secret input.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
/** auto: text on a terminal, json otherwise (decided in src/log.ts); pretty is the older name of text. */
export const LOG_FORMATS = ['auto', 'json', 'text', 'pretty'] as const;

/** Mist's regional API hosts (plus the US federal cloud), as listed in Mist's API docs. */
export const MIST_HOSTS = [
  'api.mist.com',
  'api.gc1.mist.com',
  'api.ac2.mist.com',
  'api.gc2.mist.com',
  'api.gc4.mist.com',
  'api.eu.mist.com',
  'api.gc3.mist.com',
  'api.ac6.mist.com',
  'api.gc6.mist.com',
  'api.ac5.mist.com',
  'api.gc5.mist.com',
  'api.gc7.mist.com',
  'api.us.mist-federal.com',
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function splitList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Tokens are secrets: problems say which entry (#n), never what it was. */
export const tokenList = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const tokens = splitList(raw);
    tokens.forEach((token, i) => {
      if (token.length < 8) ctx.addIssue({ code: 'custom', message: `token #${i + 1} is too short (at least 8 characters)` });
      else if (/\s/.test(token)) ctx.addIssue({ code: 'custom', message: `token #${i + 1} contains whitespace` });
    });
    return [...new Set(tokens)];
  });

export const orgIdList = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const ids = splitList(raw);
    ids.forEach((id, i) => {
      // Not quoted: a token pasted into the wrong variable must not be echoed.
      if (!UUID.test(id)) ctx.addIssue({ code: 'custom', message: `entry #${i + 1} is not a UUID` });
    });
    return [...new Set(ids.map((id) => id.toLowerCase()))];
  });

/** Normalises a bare regional host or an http(s) URL to a base URL without trailing slash. */
export const mistBaseUrl = z.string().transform((raw, ctx) => {
  const value = raw.trim().replace(/\/+$/, '');
  if (!value.includes('://')) {
    const host = value.toLowerCase();
    if ((MIST_HOSTS as readonly string[]).includes(host)) return `https://${host}`;
    // Quoted only when it looks like a host name, so `user:secret@host` is never echoed.
    const shown = /^[a-z0-9.-]+$/.test(host) ? `"${host}" ` : '';
    ctx.addIssue({
      code: 'custom',
      message: `${shown}is not a Mist API host; use one of ${MIST_HOSTS.join(', ')} or a full http(s):// URL`,
    });
    return z.NEVER;
  }
  const url = URL.parse(value);
  const problem = urlProblem(url, ['http:', 'https:']) ?? mistUrlProblem(url);
  if (!url || problem) {
    ctx.addIssue({ code: 'custom', message: problem ?? 'is not a valid URL' });
    return z.NEVER;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
});

/** The URL may carry a password, so no problem message quotes any part of it. */
export const redisUrl = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    const problem = urlProblem(URL.parse(raw.trim()), ['redis:', 'rediss:']);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return raw.trim();
  });

/** A Sentinel's address (config.redis.sentinel.sentinels). */
export interface SentinelAddress {
  readonly host: string;
  readonly port: number;
}

/** Sentinel's default port. */
export const SENTINEL_PORT = 26379;

/** `host:port` entries (port default 26379; IPv6 in brackets: `[::1]:26379`), de-duplicated; never secret. */
export const sentinelList = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const out: SentinelAddress[] = [];
    splitList(raw).forEach((entry, i) => {
      const address = sentinelAddress(entry);
      // Quoted only when it cannot hold credentials (`:password@host` pasted here is never echoed).
      const shown = /^[A-Za-z0-9.:[\]-]+$/.test(entry) ? ` "${entry}"` : '';
      if (typeof address === 'string') ctx.addIssue({ code: 'custom', message: `entry #${i + 1}${shown} ${address}` });
      else if (!out.some((a) => a.host === address.host && a.port === address.port)) out.push(address);
    });
    return out;
  });

function sentinelAddress(entry: string): SentinelAddress | string {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(entry);
  if (!m) return 'is not host:port (IPv6 addresses in brackets: [::1]:26379)';
  const host = m[1] ?? m[2] ?? '';
  if (m[1] !== undefined && isIP(host) !== 6) return 'is not an IPv6 address in brackets';
  const port = m[3] === undefined ? SENTINEL_PORT : Number(m[3]);
  if (port < 1 || port > 65_535) return 'has a port outside 1-65535';
  return { host, port };
}

function urlProblem(url: URL | null, protocols: readonly string[]): string | undefined {
  if (!url) return 'is not a valid URL';
  if (!protocols.includes(url.protocol)) return `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  if (!url.hostname) return 'must name a host';
  return undefined;
}

function mistUrlProblem(url: URL | null): string | undefined {
  if (url?.username || url?.password) return 'must not contain credentials (tokens go in MIST_API_TOKENS)';
  if (url?.search || url?.hash) return 'must not contain a query or fragment';
  return undefined;
}

/** Plain comma-separated names (site group names and the like), trimmed and de-duplicated. */
export const nameList = z
  .string()
  .optional()
  .transform((raw) => [...new Set(splitList(raw))]);

/** Shortest interval a family may be given: faster polling buys nothing Mist refreshes and burns budget. */
export const MIN_INTERVAL_SECONDS = 30;

/** "family=seconds,…" → { family: seconds }; each problem says what is wrong with that entry. */
export const intervalMap = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const out: Record<string, number> = {};
    splitList(raw).forEach((entry, i) => {
      const problem = intervalProblem(entry, i);
      if (typeof problem === 'string') ctx.addIssue({ code: 'custom', message: problem });
      else out[problem.family] = problem.seconds;
    });
    return out;
  });

function intervalProblem(entry: string, index: number): string | { family: string; seconds: number } {
  const eq = entry.indexOf('=');
  if (eq < 0) return `entry #${index + 1} ("${entry}") is not family=seconds`;
  const family = entry.slice(0, eq).trim();
  const value = entry.slice(eq + 1).trim();
  if (!FAMILY_NAMES.includes(family)) {
    const near = closest(family, FAMILY_NAMES);
    return `unknown family "${family}"${near ? ` (did you mean ${near}?)` : ''} (families: ${FAMILY_NAMES.join(', ')})`;
  }
  if (value === '') return `${family}: no seconds after "="`;
  if (!/^\d+$/.test(value)) return `${family}: ${secondsProblem(value)}; give a whole number of seconds ≥ ${MIN_INTERVAL_SECONDS}`;
  const seconds = Number(value);
  if (seconds < MIN_INTERVAL_SECONDS) return `${family}: ${seconds}s is below the ${MIN_INTERVAL_SECONDS}s minimum`;
  return { family, seconds };
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

function secondsProblem(value: string): string {
  if (/^-\d+(\.\d+)?$/.test(value)) return `${value} is negative`;
  if (/^\d*\.\d+$/.test(value)) return `${value} is not a whole number`;
  const unit = /^(\d+)\s*([smh])$/i.exec(value);
  if (unit) return `"${value}" has a unit (${value} = ${Number(unit[1]) * (UNIT_SECONDS[unit[2]!.toLowerCase()] ?? 1)} seconds)`;
  return `"${value}" is not a number`;
}

/**
 * EXPORTER_HOST: an IPv4 or IPv6 address, or a host name (RFC 1123 labels, underscores allowed, the last not all
 * digits: 999.1.1.1 is neither a valid IPv4 address nor a host name).
 */
export const listenHost = z.string().transform((raw, ctx) => {
  const problem = hostProblem(raw.trim());
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return raw.trim();
});

// RFC 1123 labels, plus underscores: Docker's DNS resolves compose service names such as `mist_exporter`.
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;

export function hostProblem(host: string): string | undefined {
  if (isIP(host) !== 0) return undefined;
  const shown = /^[\w.:[\]-]{1,80}$/.test(host) ? `"${host}" ` : '';
  if (host.includes('://')) return 'is not an address: give an IP address or host name without a scheme (no http://)';
  if (/^\[.*\]$/.test(host)) return `${shown}is not an address: write an IPv6 address without brackets (e.g. ::)`;
  if (/^[\d.]+$/.test(host)) {
    const big = host.split('.').find((part) => Number(part) > 255);
    return `${shown}is not an IPv4 address${big === undefined ? ' (four numbers 0-255 separated by dots)' : ` (${big} is above 255)`}`;
  }
  if (host.includes(':')) return `${shown}is not an IPv6 address`;
  const labels = host.replace(/\.$/, '').split('.');
  if (host.length > 253 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? '')) {
    return `${shown}is not an IP address or host name`;
  }
  return undefined;
}

/** CIRCUIT_ROLES: "role=name|name,…" (src/collect/circuit-roles.ts); "none": no rules, the positional default only. */
export const circuitRoles = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const { rules, problems } = parseCircuitRoles(raw ?? '');
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return rules;
  });

/** "user:password" for HTTP basic auth; problems never quote the value (it is a secret). */
export const basicAuth = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    const at = raw.indexOf(':');
    if (at <= 0 || at === raw.length - 1) {
      ctx.addIssue({ code: 'custom', message: 'must be user:password (both non-empty)' });
      return undefined;
    }
    return { user: raw.slice(0, at), password: raw.slice(at + 1) };
  });

/** CIRCUIT_INVENTORY_FILE: a path whose extension says its format; the content is checked by src/inventory at start. */
export const inventoryFile = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const file = raw?.trim();
    if (!file) return undefined;
    if (!/\.(csv|ya?ml)$/i.test(file)) ctx.addIssue({ code: 'custom', message: `"${file}" must end in .csv, .yaml or .yml (the extension chooses the format)` });
    return file;
  });

/**
 * GRAFANA_URL, DOCS_URL: an optional http(s) base URL the landing page links to (trailing slashes dropped).
 * Shown to anyone who opens the page, so it may not carry credentials.
 */
export const linkBaseUrl = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    const value = raw.trim().replace(/\/+$/, '');
    const url = URL.parse(value);
    const problem = urlProblem(url, ['http:', 'https:']) ?? (url?.username || url?.password ? 'must not contain credentials (the landing page shows it)' : undefined);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return value;
  });

/** SITE_INCLUDE, SITE_EXCLUDE: "kind:value,…" site filter terms (src/collect/site-filter.ts); every bad term listed. */
export const siteTerms = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const { terms, problems } = parseSiteTerms(raw);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return terms;
  });
