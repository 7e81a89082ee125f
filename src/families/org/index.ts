import { defineFamily } from '../define.js';
import { orgCatalogue } from './catalogue.js';
import { collectOrg } from './collect.js';
import { orgRecords } from './records.js';

/** The org family: everything about it, registered by one line in ../registry.ts. */
export const orgFamily = defineFamily({
  name: 'org',
  records: orgRecords,
  priority: 'standard',
  defaultIntervalSeconds: 3600,
  callsPerCycle: () => 1,
  run: collectOrg,
  catalogue: orgCatalogue,
});
