import { defineFamily } from '../define.js';
import { sleDetailsCatalogue } from './catalogue.js';
import { collectSleDetails } from './collect.js';
import { sleDetailsRecords } from './records.js';

/** The sle-details family: everything about it, registered by one line in ../registry.ts. */
export const sleDetailsFamily = defineFamily({
  name: 'sle-details',
  records: sleDetailsRecords,
  priority: 'full',
  defaultIntervalSeconds: 900,
  callsPerCycle: () => 0,
  resumable: false,
  budgeted: true,
  run: collectSleDetails,
  catalogue: sleDetailsCatalogue,
});
