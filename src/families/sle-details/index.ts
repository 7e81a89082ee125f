import { defineFamily } from '../define.js';
import { sleDetailsCatalogue } from './catalogue.js';
import { sleDetailsFamily } from './collect.js';
import { sleDetailsRecords } from './records.js';

export const sleDetails = defineFamily({
  ...sleDetailsFamily,
  records: sleDetailsRecords,
  priority: 'full',
  catalogue: sleDetailsCatalogue,
});
