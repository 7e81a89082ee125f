import { sleDetailsFamily } from '../../collect/families/sle-details.js';
import { sleDetailsCatalogue } from '../../metrics/catalogue/sle-details.js';
import { defineFamily } from '../define.js';
import { sleDetailsRecords } from './records.js';

export const sleDetails = defineFamily({
  ...sleDetailsFamily,
  records: sleDetailsRecords,
  priority: 'full',
  catalogue: sleDetailsCatalogue,
});
