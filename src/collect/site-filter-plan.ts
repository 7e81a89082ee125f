import { listSitegroups, listSites } from '../mist/endpoints.js';
import type { MistApi } from '../mist/types.js';
import { filterActive, formatTerm, siteFilterReport, type SiteEntry, type SiteFilter, type SiteFilterReport } from './site-filter.js';

/** Excluded site names `plan` lists per org. */
export const PLAN_EXCLUDED_NAMES = 5;

/** An org's site directory, read from Mist: every site with its site group names (one call per 1,000 of each). */
export async function readSiteEntries(api: MistApi, orgId: string, signal?: AbortSignal): Promise<SiteEntry[]> {
  const opts = signal ? { signal } : {};
  const groups = new Map<string, string>();
  for await (const page of api.pages(listSitegroups(orgId), opts)) for (const g of page.records) groups.set(g.id, g.name);
  const sites: SiteEntry[] = [];
  for await (const page of api.pages(listSites(orgId), opts)) {
    for (const s of page.records) {
      sites.push({ id: s.id, name: s.name, groups: (s.sitegroup_ids ?? []).map((id) => groups.get(id)).filter((n): n is string => n !== undefined).sort() });
    }
  }
  return sites;
}

/** The `plan` lines of the site filter from each org's report. Pure. */
export function formatSiteFilterPlan(filter: SiteFilter, orgs: readonly { readonly name: string; readonly orgId: string; readonly report: SiteFilterReport }[]): string[] {
  if (!filterActive(filter)) return [];
  const list = (terms: SiteFilter['include']): string => (terms.length === 0 ? '(none)' : terms.map(formatTerm).join(', '));
  const lines = [
    'site filter (exclude wins; no include term: every site not excluded):',
    `  SITE_INCLUDE: ${filter.include.length === 0 ? '(empty: every site)' : list(filter.include)}`,
    `  SITE_EXCLUDE: ${list(filter.exclude)}`,
  ];
  for (const { name, orgId, report } of orgs) {
    const total = report.kept + report.excluded;
    const names = report.excludedNames.slice(0, PLAN_EXCLUDED_NAMES);
    const more = report.excluded - names.length;
    lines.push(`  org ${name} (${orgId}): keeps ${report.kept} of ${total} sites, excludes ${report.excluded}`
      + (names.length > 0 ? `: ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : ''));
  }
  // A term is a mistake when it matches no site of any org (an id term matches in one org only).
  const unmatched = orgs.length === 0 ? [] : orgs[0]!.report.unmatched.filter((t) => orgs.every((o) => o.report.unmatched.includes(t)));
  for (const term of unmatched) lines.push(`  WARNING: ${term} matches no site${orgs.length > 1 ? ' of any org' : ''}: check its spelling (names and site groups are matched whole, case-insensitively; * and ? are wildcards)`);
  for (const { name, report } of orgs) {
    if (report.kept === 0 && report.excluded > 0) lines.push(`  WARNING: org ${name}: the filter keeps none of its ${report.excluded} sites; its families still make their org-level calls: leave the org out of MIST_ORG_ID instead`);
  }
  lines.push('  excluded sites have no series and cost no per-site call (sle-details); the org-level calls above are unchanged: Mist\'s org searches return every site\'s rows and the collector drops them');
  return lines;
}

/**
 * The site filter's part of `plan`: the terms, and for each org how many sites it keeps and excludes (a few
 * excluded names), with warnings for terms that match nothing and orgs left with no site. Reads each org's
 * site groups and sites (⌈n/1000⌉ calls each) only when a filter is configured; no lines otherwise.
 */
export async function siteFilterPlan(api: MistApi, orgs: readonly { readonly orgId: string; readonly name: string }[], filter: SiteFilter): Promise<string[]> {
  if (!filterActive(filter)) return [];
  const reports = [];
  for (const org of orgs) reports.push({ ...org, report: siteFilterReport(filter, await readSiteEntries(api, org.orgId)) });
  return ['', ...formatSiteFilterPlan(filter, reports)];
}
