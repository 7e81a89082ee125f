import { pagesFor, sizeOf } from '../../collect/family.js';
import { defineFamily } from '../define.js';
import { alarmsCatalogue } from './catalogue.js';
import { ALARMS_PER_SITE_PER_DAY, collectAlarms } from './collect.js';
import { alarmsRecords } from './records.js';

/** The alarms family: everything about it, registered by one line in ../registry.ts. */
export const alarmsFamily = defineFamily({
  name: 'alarms',
  records: alarmsRecords,
  priority: 'standard',
  defaultIntervalSeconds: 120,
  callsPerCycle: (size) => pagesFor(Math.ceil(sizeOf(size, 'sites') * ALARMS_PER_SITE_PER_DAY)),
  resumable: false,
  run: collectAlarms,
  catalogue: alarmsCatalogue,
});
