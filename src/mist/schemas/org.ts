import { z } from 'zod';
import { id, optId, optString, stringList } from './common.js';

/** GET /orgs/{org_id} (§2.2). The spec does not require `id`; the endpoint fills it from the path. */
export const OrgSchema = z.object({
  id: optId,
  name: z.string(),
});

export function orgSchemaFor(orgId: string) {
  return OrgSchema.transform((o) => ({ ...o, id: o.id ?? orgId }));
}

/** GET /orgs/{org_id}/sites rows (§2.3). */
export const SiteSchema = z.object({
  id,
  name: z.string(),
  org_id: optId,
  sitegroup_ids: stringList,
  country_code: optString,
  timezone: optString,
  address: optString,
  /** Decorative: a malformed latlng is left out rather than costing the site. */
  latlng: z.object({ lat: z.number(), lng: z.number() }).nullish().catch(undefined).transform((v) => v ?? undefined),
});

/** GET /orgs/{org_id}/sitegroups rows (§2.4). */
export const SitegroupSchema = z.object({
  id,
  name: z.string(),
  site_ids: stringList,
});

export type MistOrg = z.output<ReturnType<typeof orgSchemaFor>>;
export type MistSite = z.output<typeof SiteSchema>;
export type MistSitegroup = z.output<typeof SitegroupSchema>;
