import type { FamilyCatalogue, WithOrg } from '../../metrics/types.js';
import { sitesRecords, type SiteRecord } from './records.js';

const coordinate = (v: number | null): string => (v === null ? '' : String(v));

/** Sites, with their region (from the Region site groups), for joins on site_id. */
export const sitesCatalogue: FamilyCatalogue<SiteRecord> = {
  family: 'sites',
  schema: sitesRecords.schema,
  groups: [
    {
      labels: ['org_id', 'site_id', 'site_name', 'region', 'country_code', 'timezone', 'latitude', 'longitude'],
      labelValues: (r: WithOrg<SiteRecord>) => [r.org_id, r.site_id, r.name, r.region, r.country_code ?? '', r.timezone ?? '', coordinate(r.latitude), coordinate(r.longitude)],
      metrics: [
        { name: 'mist_site_info', type: 'gauge', unit: 'info', value: () => 1,
          help: 'Site metadata, value 1: name, region (from the site groups named as regions; "unknown" without one), country, timezone, coordinates (GET /api/v1/orgs/{org_id}/sites and /sitegroups). Cached by the collector (sites family).' },
      ],
    },
  ],
};
