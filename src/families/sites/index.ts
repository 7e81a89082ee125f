import { sitesFamily } from '../../collect/families/sites.js';
import { sitesCatalogue } from '../../metrics/catalogue/sites.js';
import { listSitegroups, listSites } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { sitesRecords } from './records.js';

export const sites = defineFamily({
  ...sitesFamily,
  records: sitesRecords,
  priority: 'standard',
  sizeProbes: {
    sites: sizeProbe(listSites, 'sites'),
    sitegroups: sizeProbe(listSitegroups, 'site groups'),
  },
  catalogue: sitesCatalogue,
});
