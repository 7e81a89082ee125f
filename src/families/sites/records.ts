import { z } from 'zod';
import { defineRecords } from '../define-records.js';
import { num, str } from '../record-fields.js';

export const SiteRecordSchema = z.object({
  site_id: z.string(),
  name: z.string(),
  /** Region from the site's region site group (see regions.ts), or 'unknown'. */
  region: z.string(),
  /** Names of all the site's site groups, sorted. */
  sitegroups: z.array(z.string()),
  country_code: str,
  timezone: str,
  address: str,
  latitude: num,
  longitude: num,
});

export type SiteRecord = z.infer<typeof SiteRecordSchema>;

/** The sites family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const sitesRecords = defineRecords<SiteRecord>('sites', SiteRecordSchema);
