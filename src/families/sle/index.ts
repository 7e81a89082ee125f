import { defineFamily } from '../define.js';
import { sleCatalogue } from './catalogue.js';
import { sleFamily } from './collect.js';
import { sleRecords } from './records.js';

export const sle = defineFamily({
  ...sleFamily,
  records: sleRecords,
  priority: 'standard',
  catalogue: sleCatalogue,
});
