import { defineFamily } from '../define.js';
import { alarmsCatalogue } from './catalogue.js';
import { alarmsFamily } from './collect.js';
import { alarmsRecords } from './records.js';

export const alarms = defineFamily({
  ...alarmsFamily,
  records: alarmsRecords,
  priority: 'standard',
  catalogue: alarmsCatalogue,
});
