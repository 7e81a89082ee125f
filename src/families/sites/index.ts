import { pagesFor, sizeOf } from '../../collect/family.js';
import { listSitegroups, listSites } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { sitesCatalogue } from './catalogue.js';
import { collectSites } from './collect.js';
import { sitesRecords } from './records.js';

/** The sites family: everything about it, registered by one line in ../registry.ts. */
export const sitesFamily = defineFamily({
  name: 'sites',
  records: sitesRecords,
  // Availability: the site names and regions every availability page and regional KPI carries, and the sites a
  // circuit inventory names (circuits matches them through this snapshot). A few calls an hour.
  priority: 'availability',
  defaultIntervalSeconds: 3600,
  sizeProbes: {
    sites: sizeProbe(listSites, 'sites'),
    sitegroups: sizeProbe(listSitegroups, 'site groups'),
  },
  callsPerCycle: (size) => pagesFor(sizeOf(size, 'sitegroups')) + pagesFor(sizeOf(size, 'sites')),
  run: collectSites,
  catalogue: sitesCatalogue,
});
