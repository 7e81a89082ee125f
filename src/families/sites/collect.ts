import { prefetchThenWalk, type FamilyContext, type FamilyPage } from '../../collect/family.js';
import { regionOf, type RegionRule } from '../../collect/regions.js';
import { listSitegroups, listSites } from '../../mist/endpoints.js';
import type { Cursor } from '../../mist/types.js';
import type { SiteRecord } from './records.js';

export interface SitegroupIn {
  readonly id: string;
  readonly name: string;
}

export interface SiteIn {
  readonly id: string;
  readonly name: string;
  readonly timezone?: string | null | undefined;
  readonly country_code?: string | null | undefined;
  readonly address?: string | null | undefined;
  readonly latlng?: { readonly lat?: number | undefined; readonly lng?: number | undefined } | null | undefined;
  readonly sitegroup_ids?: readonly string[] | null | undefined;
}

/** A site with its region resolved from its site groups. Pure. */
export function mapSite(s: SiteIn, groupNames: ReadonlyMap<string, string>, rule: RegionRule): SiteRecord {
  const names = (s.sitegroup_ids ?? []).map((id) => groupNames.get(id)).filter((n): n is string => n !== undefined).sort();
  return {
    site_id: s.id,
    name: s.name,
    region: regionOf(names, rule),
    sitegroups: names,
    country_code: s.country_code ?? null,
    timezone: s.timezone ?? null,
    address: s.address ?? null,
    latitude: s.latlng?.lat ?? null,
    longitude: s.latlng?.lng ?? null,
  };
}

/**
 * Sites with their region. Site groups (one small page) are fetched first each cycle, then the sites are
 * walked page by page (resumable).
 */
export function collectSites(ctx: FamilyContext, from: Cursor | null): AsyncGenerator<FamilyPage<SiteRecord>> {
  return prefetchThenWalk(ctx, from, listSitegroups(ctx.orgId), listSites(ctx.orgId), (groups) => {
    const groupNames = new Map(groups.map((g) => [g.id, g.name]));
    return (s) => mapSite(s, groupNames, ctx.settings.regions);
  });
}
