import { pagesFor, sizeOf } from '../../collect/family.js';
import { defineFamily } from '../define.js';
import { sleCatalogue } from './catalogue.js';
import { collectSle, WAN_SLES } from './collect.js';
import { sleRecords } from './records.js';

/** The sle family: everything about it, registered by one line in ../registry.ts. */
export const sleFamily = defineFamily({
  name: 'sle',
  records: sleRecords,
  priority: 'standard',
  defaultIntervalSeconds: 600,
  callsPerCycle: (size) => pagesFor(sizeOf(size, 'sites')) + WAN_SLES.length,
  run: collectSle,
  catalogue: sleCatalogue,
});
