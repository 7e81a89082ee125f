import { sitesRecords } from '../families/sites/records.js';
import type { Logger } from '../log.js';
import { getOrg, listSitegroups, listSites } from '../mist/endpoints.js';
import type { Endpoint, MistApi, Page } from '../mist/types.js';
import { decodeLabels } from '../store/counters.js';
import type { FamilyKey, FamilyMeta, Store } from '../store/types.js';
import type { FamilyPage } from './family.js';
import { directoryCounts, nextDirectory, readDirectory, type SiteDirectory } from './site-directory.js';
import { decideSite, filterActive, keepSite, needsDirectory, siteFilterReport, type SiteEntry, type SiteFilter } from './site-filter.js';

/**
 * THE enforcement point of the site filter (SITE_INCLUDE/SITE_EXCLUDE, src/collect/site-filter.ts): runCycle
 * opens one scope per cycle and passes everything between the family and the outside through it.
 *
 * - In: the family's Mist rows. Rows of excluded sites (`site_id`; `id` for the site list) are left out before
 *   the family sees them, so nothing is mapped, joined, counted (flaps, alarms, events by type) or kept in its
 *   state for them. A per-site call (`/api/v1/sites/{id}/…`) for an excluded site is refused without calling Mist.
 * - In: the snapshots it reads from the store (joins): their records of excluded sites are left out too
 *   (snapshots written before the filter changed), so e.g. sle-details never polls an excluded site.
 * - Out: records, counter fields (by their `site_id` label) and state records of excluded sites are dropped (the
 *   worst-sites ranks, which come in one unpaged body, and anything written before the filter changed).
 *
 * Everything left out is counted (`recordsFiltered`: filtered, not invalid; never in recordsDropped). Name and
 * group terms are resolved with the site directory (site-directory.ts): the cycle that walks the org's site list
 * (the sites family) decides each site from its own row and saves the directory as its state; every other cycle
 * reads it. Without a directory yet, a cycle that needs one fails before any call, keeping its last snapshot.
 */

export class SiteFilterWaiting extends Error {
  readonly code = 'E_SITE_FILTER_NO_DIRECTORY';
}

export class SiteFiltered extends Error {
  readonly code = 'E_SITE_FILTERED';
}

export interface SiteFilterScope {
  /** What the family sees of Mist. */
  api(api: MistApi): MistApi;
  /** Records of a snapshot the family reads (before validation). */
  stored(records: readonly unknown[]): unknown[];
  /** A page the family yields, as it is staged. */
  page<R>(page: FamilyPage<R>): FamilyPage<R>;
  /** The state to publish (undefined: left as it is): the site directory after a walk of the site list. */
  state(state: { value: unknown } | undefined): { value: unknown } | undefined;
  /** Metadata of the publish (the self-metrics mist_collector_records_filtered and mist_collector_site_filter_sites). */
  meta(): Pick<FamilyMeta, 'recordsFiltered' | 'sitesIncluded' | 'sitesExcluded'>;
}

const PASS: SiteFilterScope = { api: (a) => a, stored: (r) => [...r], page: (p) => p, state: (s) => s, meta: () => ({}) };

const SITES = listSites('-').name;
const SITEGROUPS = listSitegroups('-').name;
/** Calls that carry no site's data: allowed before the directory is known. */
const NO_SITE_DATA = new Set([SITES, SITEGROUPS, getOrg('-').name]);
/** The family whose state holds the directory (the family walking the site list). */
const DIRECTORY_FAMILY = sitesRecords.name;
const SITE_PATH = /^\/api\/v1\/sites\/([^/]+)\//;

/** The last directory summary logged per org: logged again only when it changes. */
const logged = new Map<string, string>();

export interface SiteFilterDeps {
  readonly store: Store;
  readonly siteFilter?: SiteFilter;
}

/** Opens the cycle's scope; `resumed`: the family resumes a staged walk (its directory walk is partial). */
export async function openSiteFilter(deps: SiteFilterDeps, key: FamilyKey, resumed: boolean, log: Logger): Promise<SiteFilterScope> {
  const filter = deps.siteFilter;
  if (!filter || !filterActive(filter)) return PASS;
  const saved = needsDirectory(filter) || key.family === DIRECTORY_FAMILY ? await deps.store.readState({ orgId: key.orgId, family: DIRECTORY_FAMILY }) : null;
  return new Scope(filter, key.orgId, directoryOf(key.orgId, saved), resumed, log);
}

/** The last directory read per org, by its text: most cycles read an unchanged one (3,208 sites: ~400 kB). */
const lastRead = new Map<string, { text: string; directory: SiteDirectory | null }>();

function directoryOf(orgId: string, text: string | null): SiteDirectory | null {
  if (text === null) return null;
  const last = lastRead.get(orgId);
  if (last?.text === text) return last.directory;
  const directory = readDirectory(parseJson(text));
  lastRead.set(orgId, { text, directory });
  return directory;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const siteIdOf = (row: unknown): string | null => {
  const id = (row as { site_id?: unknown } | null)?.site_id;
  return typeof id === 'string' && id !== '' ? id : null;
};

class Scope implements SiteFilterScope {
  private readonly known: Map<string, SiteEntry>;
  private readonly decided = new Map<string, boolean>();
  private readonly groups = new Map<string, string>();
  private readonly walked = new Map<string, SiteEntry>();
  private filtered = 0;
  private unknown = 0;

  constructor(private readonly filter: SiteFilter, private readonly orgId: string, private readonly previous: SiteDirectory | null,
    private readonly resumed: boolean, private readonly log: Logger) {
    this.known = new Map((previous?.sites ?? []).map((s) => [s.id, s]));
  }

  /** Throws (nothing called, nothing written) while the filter needs a directory that does not exist yet. */
  private ready(): void {
    if (this.previous === null && this.walked.size === 0 && needsDirectory(this.filter)) {
      throw new SiteFilterWaiting('the site filter has name or group terms and the site directory is not known yet (the sites family\'s first collection saves it); retried next cycle');
    }
  }

  private keeps(siteId: string): boolean {
    let keep = this.decided.get(siteId);
    if (keep === undefined) {
      this.ready();
      const decision = decideSite(this.filter, siteId, this.walked.get(siteId) ?? this.known.get(siteId));
      if (decision === 'unknown') this.unknown += 1;
      keep = decision === 'kept';
      this.decided.set(siteId, keep);
    }
    return keep;
  }

  private keepRow = (row: unknown): boolean => {
    const id = siteIdOf(row);
    if (id === null || this.keeps(id)) return true;
    this.filtered += 1;
    return false;
  };

  api(api: MistApi): MistApi {
    return {
      pages: <T>(endpoint: Endpoint<T>, opts?: Parameters<MistApi['pages']>[1]): AsyncIterable<Page<T>> => this.walk(api, endpoint, opts),
      getOne: async <T>(endpoint: Endpoint<T>, opts?: Parameters<MistApi['getOne']>[1]): Promise<T> => {
        this.before(endpoint.name);
        const site = SITE_PATH.exec(endpoint.path)?.[1];
        if (site !== undefined && !this.keeps(decodeURIComponent(site))) throw new SiteFiltered(`site ${decodeURIComponent(site)} is excluded by the site filter: not called`);
        return api.getOne(endpoint, opts);
      },
      count: (endpoint, opts) => api.count(endpoint, opts),
    };
  }

  private before(endpoint: string): void {
    if (!NO_SITE_DATA.has(endpoint)) this.ready();
  }

  private async *walk<T>(api: MistApi, endpoint: Endpoint<T>, opts?: Parameters<MistApi['pages']>[1]): AsyncGenerator<Page<T>> {
    this.before(endpoint.name);
    for await (const page of api.pages(endpoint, opts)) {
      if (endpoint.name === SITEGROUPS) {
        for (const g of page.records as unknown as readonly { id: string; name: string }[]) this.groups.set(g.id, g.name);
        yield page;
      } else if (endpoint.name === SITES) {
        yield { ...page, records: page.records.filter((s) => this.walkSite(s as unknown as { id: string; name: string; sitegroup_ids?: readonly string[] | null })) };
      } else {
        yield { ...page, records: page.records.filter(this.keepRow) };
      }
    }
  }

  /** A row of the site list: a directory entry, decided from itself. */
  private walkSite(s: { id: string; name: string; sitegroup_ids?: readonly string[] | null }): boolean {
    const groups = (s.sitegroup_ids ?? []).map((id) => this.groups.get(id)).filter((n): n is string => n !== undefined).sort();
    const entry: SiteEntry = { id: s.id, name: s.name, groups };
    this.walked.set(s.id, entry);
    const keep = keepSite(this.filter, entry);
    this.decided.set(s.id, keep);
    if (!keep) this.filtered += 1;
    return keep;
  }

  stored(records: readonly unknown[]): unknown[] {
    return records.filter(this.keepRow);
  }

  page<R>(page: FamilyPage<R>): FamilyPage<R> {
    const records = page.records.filter(this.keepRow);
    const counters = page.counters === undefined ? undefined : this.counters(page.counters);
    const state = Array.isArray(page.state) ? (page.state as unknown[]).filter((r) => siteIdOf(r) === null || this.keeps(siteIdOf(r)!)) : page.state;
    return { ...page, records, ...(counters ? { counters } : {}), ...(page.state !== undefined ? { state } : {}) };
  }

  /** Counter fields with a `site_id` label of an excluded site are dropped (not counted: they are not records). */
  private counters(groups: NonNullable<FamilyPage<unknown>['counters']>): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [group, fields] of Object.entries(groups)) {
      out[group] = Object.fromEntries(Object.entries(fields).filter(([field]) => {
        const site = decodeLabels(field)?.site_id;
        return site === undefined || site === '' || this.keeps(site);
      }));
    }
    return out;
  }

  private directory(): SiteDirectory | null {
    return this.walked.size === 0 ? null : nextDirectory(this.walked, this.previous, this.resumed);
  }

  state(state: { value: unknown } | undefined): { value: unknown } | undefined {
    const directory = this.directory();
    if (directory === null || state !== undefined) return state;
    this.logDirectory(directory);
    return { value: directory };
  }

  meta(): Pick<FamilyMeta, 'recordsFiltered' | 'sitesIncluded' | 'sitesExcluded'> {
    if (this.unknown > 0) this.log.info({ sites: this.unknown }, 'site filter: sites not in the site directory yet (created since the last sites collection) held back until the sites family has seen them');
    const directory = this.directory();
    if (directory === null) return { recordsFiltered: this.filtered };
    const { included, excluded } = directoryCounts(this.filter, directory);
    return { recordsFiltered: this.filtered, sitesIncluded: included, sitesExcluded: excluded };
  }

  private logDirectory(directory: SiteDirectory): void {
    const report = siteFilterReport(this.filter, directory.sites);
    const summary = JSON.stringify(report);
    if (logged.get(this.orgId) === summary) return;
    logged.set(this.orgId, summary);
    const fields = { sites: directory.sites.length, kept: report.kept, excluded: report.excluded, unmatchedTerms: report.unmatched };
    if (report.kept === 0 && directory.sites.length > 0) {
      this.log.warn(fields, 'site filter: it keeps none of the org\'s sites (its families still make their org-level calls: leave the org out of MIST_ORG_ID instead)');
    } else {
      this.log.info({ ...fields, firstExcluded: report.excludedNames.slice(0, 5) }, 'site filter applied to the site directory');
    }
  }
}
