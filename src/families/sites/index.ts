import { listSitegroups, listSites } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { sitesCatalogue } from './catalogue.js';
import { sitesFamily } from './collect.js';
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
