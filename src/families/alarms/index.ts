import { alarmsFamily } from '../../collect/families/alarms.js';
import { alarmsCatalogue } from '../../metrics/catalogue/alarms.js';
import { defineFamily } from '../define.js';
import { alarmsRecords } from './records.js';

export const alarms = defineFamily({
  ...alarmsFamily,
  records: alarmsRecords,
  priority: 'standard',
  catalogue: alarmsCatalogue,
});
