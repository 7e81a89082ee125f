import { z } from 'zod';
import { keepSite, type SiteEntry, type SiteFilter } from './site-filter.js';

/**
 * The site directory of an org: every site's id, name and site group names, as the last `sites` collection saw
 * them (excluded sites too: the filter needs their names to keep excluding them). The site filter resolves
 * `name:` and `group:` terms with it. Saved as the `sites` family's state (Store.readState: no TTL, published
 * atomically with the sites generation), written by the site filter's cycle hook (site-filter-cycle.ts) while a
 * filter is configured; the sites family itself keeps no state.
 */
export const SiteDirectorySchema = z.object({
  site_directory: z.literal(1),
  sites: z.array(z.object({ id: z.string(), name: z.string(), groups: z.array(z.string()) })),
});

export type SiteDirectory = z.infer<typeof SiteDirectorySchema>;

/** A saved state as a directory; null when it is none (absent, or another shape). */
export function readDirectory(saved: unknown): SiteDirectory | null {
  const parsed = SiteDirectorySchema.safeParse(saved);
  return parsed.success ? parsed.data : null;
}

/**
 * The directory a sites walk leaves: what it walked; a resumed walk (its first pages were walked by a collector
 * that died) also keeps the previous directory's sites it did not walk again. Sorted by id. Pure.
 */
export function nextDirectory(walked: ReadonlyMap<string, SiteEntry>, previous: SiteDirectory | null, resumed: boolean): SiteDirectory {
  const sites = new Map<string, SiteEntry>();
  if (resumed) for (const s of previous?.sites ?? []) sites.set(s.id, s);
  for (const [id, s] of walked) sites.set(id, s);
  return {
    site_directory: 1,
    sites: [...sites.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((s) => ({ id: s.id, name: s.name, groups: [...s.groups] })),
  };
}

/** Sites the filter keeps and drops in a directory. Pure. */
export function directoryCounts(filter: SiteFilter, directory: SiteDirectory): { included: number; excluded: number } {
  const included = directory.sites.filter((s) => keepSite(filter, s)).length;
  return { included, excluded: directory.sites.length - included };
}
