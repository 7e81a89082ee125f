import { describe, expect, it } from 'vitest';
import { formatSiteFilterPlan } from '../../src/collect/site-filter-plan.js';
import { directoryCounts, nextDirectory, readDirectory } from '../../src/collect/site-directory.js';
import {
  decideSite, formatTerm, globRegExp, keepSite, needsDirectory, NO_SITE_FILTER, parseSiteTerms, siteFilterReport, splitTerms,
  type SiteEntry, type SiteFilter,
} from '../../src/collect/site-filter.js';

const ID_A = '0a8f6c1e-1111-4a4a-9b9b-000000000001';
const ID_B = '0a8f6c1e-1111-4a4a-9b9b-000000000002';
const ID_C = '0a8f6c1e-1111-4a4a-9b9b-000000000003';

const site = (id: string, name: string, ...groups: string[]): SiteEntry => ({ id, name, groups });
const A = site(ID_A, 'Store 0001 Austin', 'Region - South', 'Format - Express');
const B = site(ID_B, 'DC1 Dallas', 'Region - South', 'Hubs');
const C = site(ID_C, 'Store 0102 Denver*Lab', 'Region - West');

const terms = (raw: string): SiteFilter['include'] => {
  const parsed = parseSiteTerms(raw);
  expect(parsed.problems).toEqual([]);
  return parsed.terms;
};
const filter = (include: string, exclude = ''): SiteFilter => ({ include: terms(include), exclude: terms(exclude) });
const glob = (pattern: string, name: string): boolean => globRegExp(pattern).test(name);

describe('parseSiteTerms', () => {
  it('reads kinds, trims, lower-cases ids and kinds, keeps spaces inside values and drops repeats', () => {
    expect(parseSiteTerms(` id:${ID_A.toUpperCase()} , NAME: Store 00* ,group:Region - West,name:Store 00*,, `)).toEqual({
      terms: [{ kind: 'id', value: ID_A }, { kind: 'name', value: 'Store 00*' }, { kind: 'group', value: 'Region - West' }],
      problems: [],
    });
    expect(parseSiteTerms(undefined)).toEqual({ terms: [], problems: [] });
  });

  it('lists every bad term with its number and what is wrong', () => {
    const { terms: ok, problems } = parseSiteTerms(`Dallas*,nme:Store*,site:x,name:,id:not-a-uuid,group:West\\,name:ok\\`);
    expect(ok).toEqual([]);
    expect(problems).toEqual([
      'term #1 "Dallas*" has no kind: write id:<site id>, name:<name glob> or group:<site group glob>',
      'term #2 "nme:Store*": unknown kind "nme" (did you mean name?); kinds: id, name, group',
      'term #3 "site:x": unknown kind "site"; kinds: id, name, group',
      'term #4 "name:": nothing after "name:"',
      'term #5 "id:not-a-uuid": not a site id (a UUID such as 4ac1dcf4-9d8b-4b2a-9e6c-7a3f5b0c1d2e)',
      'term #6 "group:West,name:ok\\\\": ends in a lone "\\" (write \\\\ for a backslash)',
    ]);
  });

  it('splits on commas, not on escaped ones, and formats terms back as written', () => {
    expect(splitTerms('name:Store 12\\, Dallas,group:a')).toEqual(['name:Store 12, Dallas', 'group:a']);
    expect(splitTerms('name:a\\*b,name:c')).toEqual(['name:a\\*b', 'name:c']);
    const [t] = parseSiteTerms('name:Store 12\\, Dallas').terms;
    expect(formatTerm(t!)).toBe('name:Store 12\\, Dallas');
  });
});

describe('globs', () => {
  it('match the whole name, case-insensitively', () => {
    expect(glob('store 00*', 'Store 0001 Austin')).toBe(true);
    expect(glob('Store', 'Store 0001 Austin')).toBe(false);
    expect(glob('Austin', 'Store 0001 Austin')).toBe(false);
    expect(glob('*austin', 'Store 0001 Austin')).toBe(true);
    expect(glob('DÜSSELDORF*', 'düsseldorf Nord')).toBe(true);
  });

  it('* matches any run, also none; ? exactly one character', () => {
    expect(glob('a*b', 'ab')).toBe(true);
    expect(glob('a*b', 'a-x-b')).toBe(true);
    expect(glob('*', '')).toBe(true);
    expect(glob('a?c', 'abc')).toBe(true);
    expect(glob('a?c', 'ac')).toBe(false);
    expect(glob('a?c', 'abbc')).toBe(false);
    expect(glob('Store 00??', 'Store 0042')).toBe(true);
    expect(glob('Store 00??', 'Store 00420')).toBe(false);
  });

  it('escapes make wildcards literal; regex characters are plain', () => {
    expect(glob('*\\*Lab', 'Store 0102 Denver*Lab')).toBe(true);
    expect(glob('*\\*Lab', 'Store 0102 DenverXLab')).toBe(false);
    expect(glob('what\\?', 'what?')).toBe(true);
    expect(glob('what\\?', 'whatx')).toBe(false);
    expect(glob('a\\\\b', 'a\\b')).toBe(true);
    expect(glob('(x)+[y].$^|{2}-/', '(x)+[y].$^|{2}-/')).toBe(true);
    expect(glob('a.c', 'abc')).toBe(false);
    expect(glob('multi*line', 'multi\nline')).toBe(true);
  });
});

describe('keepSite and decideSite', () => {
  it('keeps every site without terms; include keeps only matches; exclude wins', () => {
    expect([A, B, C].map((s) => keepSite(NO_SITE_FILTER, s))).toEqual([true, true, true]);
    expect([A, B, C].map((s) => keepSite(filter('group:region - south'), s))).toEqual([true, true, false]);
    expect([A, B, C].map((s) => keepSite(filter('group:Region - *', `id:${ID_B}`), s))).toEqual([true, false, true]);
    expect([A, B, C].map((s) => keepSite(filter('', 'name:*\\*Lab'), s))).toEqual([true, true, false]);
    expect([A, B, C].map((s) => keepSite(filter(`id:${ID_A},name:DC*`, 'group:Hubs'), s))).toEqual([true, false, false]);
  });

  it('decides unknown sites by id terms when it can, and holds them back when a name or group term decides', () => {
    const id = '0a8f6c1e-1111-4a4a-9b9b-00000000000f';
    expect(decideSite(filter(`id:${ID_A}`), id, undefined)).toBe('excluded');
    expect(decideSite(filter(`id:${id}`), id, undefined)).toBe('kept');
    expect(decideSite(filter('', `id:${id}`), id, undefined)).toBe('excluded');
    expect(decideSite(filter('', `id:${ID_A}`), id, undefined)).toBe('kept');
    expect(decideSite(filter('', 'name:Lab*'), id, undefined)).toBe('unknown');
    expect(decideSite(filter('group:Hubs'), id, undefined)).toBe('unknown');
    expect(decideSite(filter(`id:${id}`, 'name:Lab*'), id, undefined)).toBe('unknown');
    expect(decideSite(filter(`id:${id}`, `id:${id}`), id, undefined)).toBe('excluded');
    expect(decideSite(filter('group:Hubs'), ID_B, B)).toBe('kept');
    expect(decideSite(filter('group:Hubs'), ID_A, A)).toBe('excluded');
    expect(needsDirectory(filter(`id:${id}`, `id:${ID_A}`))).toBe(false);
    expect(needsDirectory(filter('', 'name:x'))).toBe(true);
  });
});

describe('reports and the plan lines', () => {
  it('counts kept and excluded sites, names the excluded and the terms that match nothing', () => {
    const f = filter('group:Region - South,name:Nowhere*', 'name:DC*');
    expect(siteFilterReport(f, [A, B, C])).toEqual({
      kept: 1, excluded: 2, excludedNames: ['DC1 Dallas', 'Store 0102 Denver*Lab'], unmatched: ['SITE_INCLUDE name:Nowhere*'],
    });
    const lines = formatSiteFilterPlan(f, [
      { name: 'Org One', orgId: 'o1', report: siteFilterReport(f, [A, B, C]) },
      { name: 'Org Two', orgId: 'o2', report: siteFilterReport(f, [C]) },
    ]);
    expect(lines.join('\n')).toContain('SITE_INCLUDE: group:Region - South, name:Nowhere*');
    expect(lines).toContain('  org Org One (o1): keeps 1 of 3 sites, excludes 2: DC1 Dallas, Store 0102 Denver*Lab');
    expect(lines.filter((l) => l.includes('WARNING'))).toEqual([
      '  WARNING: SITE_INCLUDE name:Nowhere* matches no site of any org: check its spelling (names and site groups are matched whole, case-insensitively; * and ? are wildcards)',
      '  WARNING: org Org Two: the filter keeps none of its 1 sites; its families still make their org-level calls: leave the org out of MIST_ORG_ID instead',
    ]);
    expect(formatSiteFilterPlan(NO_SITE_FILTER, [])).toEqual([]);
  });

  it('lists a few excluded names and how many more', () => {
    const many = Array.from({ length: 8 }, (_, i) => site(`id-${i}`, `Lab ${i}`));
    const f = filter('', 'name:Lab*');
    expect(formatSiteFilterPlan(f, [{ name: 'O', orgId: 'o', report: siteFilterReport(f, many) }])).toContain(
      '  org O (o): keeps 0 of 8 sites, excludes 8: Lab 0, Lab 1, Lab 2, Lab 3, Lab 4 and 3 more');
  });
});

describe('the site directory', () => {
  it('is what the walk saw; a resumed walk keeps the previous sites it did not see again', () => {
    const previous = nextDirectory(new Map([[ID_A, A], [ID_C, C]]), null, false);
    const renamed = { ...A, name: 'Store 0001 Austin North' };
    expect(nextDirectory(new Map([[ID_A, renamed]]), previous, false).sites).toEqual([renamed]);
    expect(nextDirectory(new Map([[ID_A, renamed], [ID_B, B]]), previous, true).sites.map((s) => s.name)).toEqual(['Store 0001 Austin North', 'DC1 Dallas', C.name]);
    expect(readDirectory(JSON.parse(JSON.stringify(previous)))).toEqual(previous);
    expect(readDirectory([{ kind: 'cursor' }])).toBeNull();
    expect(directoryCounts(filter('', 'group:Hubs'), nextDirectory(new Map([[ID_A, A], [ID_B, B], [ID_C, C]]), null, false))).toEqual({ included: 2, excluded: 1 });
  });
});
