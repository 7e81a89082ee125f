import { closest } from '../config/similar.js';

/**
 * Site filters (SITE_INCLUDE, SITE_EXCLUDE): which sites of an org the collector keeps. Each variable is a
 * comma-separated list of terms `kind:value`:
 *
 * - `id:<site id>`: the site with that UUID;
 * - `name:<glob>`: sites whose name matches the glob;
 * - `group:<glob>`: sites in a site group whose name matches the glob (`group:Region - West`).
 *
 * Globs match the whole name, case-insensitively: `*` any run of characters (also none), `?` one character, `\`
 * makes the next character literal (`\*`, `\?`, `\\`). A comma inside a term is written `\,`. A site is kept when
 * no SITE_EXCLUDE term matches it and SITE_INCLUDE is empty or one of its terms matches it: exclude wins.
 *
 * Pure: parsing, matching and reporting. The collector enforces the filter in one place
 * (src/collect/site-filter-cycle.ts); `plan` shows it (src/collect/site-filter-plan.ts).
 */

export const SITE_TERM_KINDS = ['id', 'name', 'group'] as const;
export type SiteTermKind = (typeof SITE_TERM_KINDS)[number];

export interface SiteTerm {
  readonly kind: SiteTermKind;
  /** After `kind:`, trimmed (ids lower-cased); globs keep their `\` escapes. */
  readonly value: string;
}

export interface SiteFilter {
  readonly include: readonly SiteTerm[];
  readonly exclude: readonly SiteTerm[];
}

export const NO_SITE_FILTER: SiteFilter = { include: [], exclude: [] };

/** A site as the filter sees it: from the org's site list and site groups (the site directory). */
export interface SiteEntry {
  readonly id: string;
  readonly name: string;
  /** Names of the site's site groups. */
  readonly groups: readonly string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TERM = 256;

/** The term as written in the variable (commas escaped again). */
export function formatTerm(t: SiteTerm): string {
  return `${t.kind}:${t.value.replace(/,/g, '\\,')}`;
}

/** Splits a list on commas not preceded by `\`; `\,` becomes `,`, every other escape stays for the glob. */
export function splitTerms(raw: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && raw[i + 1] === ',') {
      current += ',';
      i += 1;
    } else if (c === '\\' && i + 1 < raw.length) {
      current += c + raw[i + 1]!;
      i += 1;
    } else if (c === ',') {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const shown = (text: string): string => JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);

/** One term, or what is wrong with it (a phrase naming the term). */
function parseTerm(text: string, index: number): SiteTerm | string {
  const where = `term #${index + 1} ${shown(text)}`;
  const colon = text.indexOf(':');
  if (colon < 0) return `${where} has no kind: write id:<site id>, name:<name glob> or group:<site group glob>`;
  const kind = text.slice(0, colon).trim().toLowerCase();
  const value = text.slice(colon + 1).trim();
  if (!(SITE_TERM_KINDS as readonly string[]).includes(kind)) {
    const near = closest(kind, SITE_TERM_KINDS);
    return `${where}: unknown kind "${kind}"${near ? ` (did you mean ${near}?)` : ''}; kinds: ${SITE_TERM_KINDS.join(', ')}`;
  }
  if (value === '') return `${where}: nothing after "${kind}:"`;
  if (value.length > MAX_TERM) return `${where}: longer than ${MAX_TERM} characters`;
  if (kind === 'id') return UUID.test(value) ? { kind, value: value.toLowerCase() } : `${where}: not a site id (a UUID such as 4ac1dcf4-9d8b-4b2a-9e6c-7a3f5b0c1d2e)`;
  if (/(^|[^\\])(\\\\)*\\$/.test(value)) return `${where}: ends in a lone "\\" (write \\\\ for a backslash)`;
  return { kind: kind as SiteTermKind, value };
}

/** Parses SITE_INCLUDE or SITE_EXCLUDE; problems name the term (#n, as written) and what is wrong. */
export function parseSiteTerms(raw: string | undefined): { terms: SiteTerm[]; problems: string[] } {
  const terms: SiteTerm[] = [];
  const problems: string[] = [];
  splitTerms(raw ?? '').forEach((text, i) => {
    const term = parseTerm(text, i);
    if (typeof term === 'string') problems.push(term);
    else if (!terms.some((t) => t.kind === term.kind && t.value === term.value)) terms.push(term);
  });
  return { terms, problems };
}

const compiled = new Map<string, RegExp>();

/** A glob as an anchored, case-insensitive RegExp: `*`, `?`, `\` escapes the next character. */
export function globRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (re) return re;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) {
      source += escapeRe(glob[i + 1]!);
      i += 1;
    } else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRe(c);
  }
  re = new RegExp(`^${source}$`, 'isu');
  compiled.set(glob, re);
  return re;
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function termMatches(term: SiteTerm, site: SiteEntry): boolean {
  switch (term.kind) {
    case 'id':
      return site.id.toLowerCase() === term.value;
    case 'name':
      return globRegExp(term.value).test(site.name);
    case 'group':
      return site.groups.some((g) => globRegExp(term.value).test(g));
  }
}

export function filterActive(filter: SiteFilter): boolean {
  return filter.include.length + filter.exclude.length > 0;
}

/** Name and group terms need the site directory (names, site groups); id terms do not. */
export function needsDirectory(filter: SiteFilter): boolean {
  return [...filter.include, ...filter.exclude].some((t) => t.kind !== 'id');
}

/** Exclude wins; an empty include keeps every site not excluded. */
export function keepSite(filter: SiteFilter, site: SiteEntry): boolean {
  if (filter.exclude.some((t) => termMatches(t, site))) return false;
  return filter.include.length === 0 || filter.include.some((t) => termMatches(t, site));
}

/**
 * A site by id: `kept` or `excluded`, or `unknown` when the decision depends on a name or group term and the site
 * is not in the directory (a site created since the last `sites` collection): the caller holds it back. Id terms
 * decide without the directory. Pure.
 */
export function decideSite(filter: SiteFilter, id: string, entry: SiteEntry | undefined): 'kept' | 'excluded' | 'unknown' {
  if (entry) return keepSite(filter, entry) ? 'kept' : 'excluded';
  const lower = id.toLowerCase();
  const byId = (t: SiteTerm): boolean => t.kind === 'id' && t.value === lower;
  if (filter.exclude.some(byId)) return 'excluded';
  const excludeByOthers = filter.exclude.some((t) => t.kind !== 'id');
  if (filter.include.length > 0) {
    const listed = filter.include.some(byId);
    if (!listed && filter.include.every((t) => t.kind === 'id')) return 'excluded';
    return listed && !excludeByOthers ? 'kept' : 'unknown';
  }
  return excludeByOthers ? 'unknown' : 'kept';
}

export interface SiteFilterReport {
  readonly kept: number;
  readonly excluded: number;
  /** Names of the excluded sites, sorted. */
  readonly excludedNames: readonly string[];
  /** Terms (as written, with the variable) that match no site of these sites. */
  readonly unmatched: readonly string[];
}

/** What the filter does to one org's sites. Pure. */
export function siteFilterReport(filter: SiteFilter, sites: readonly SiteEntry[]): SiteFilterReport {
  const excludedNames: string[] = [];
  for (const s of sites) if (!keepSite(filter, s)) excludedNames.push(s.name);
  const unmatched = [
    ...filter.include.filter((t) => !sites.some((s) => termMatches(t, s))).map((t) => `SITE_INCLUDE ${formatTerm(t)}`),
    ...filter.exclude.filter((t) => !sites.some((s) => termMatches(t, s))).map((t) => `SITE_EXCLUDE ${formatTerm(t)}`),
  ];
  return { kept: sites.length - excludedNames.length, excluded: excludedNames.length, excludedNames: excludedNames.sort(), unmatched };
}
