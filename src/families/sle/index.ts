import { sleFamily } from '../../collect/families/sle.js';
import { sleCatalogue } from '../../metrics/catalogue/sle.js';
import { defineFamily } from '../define.js';
import { sleRecords } from './records.js';

export const sle = defineFamily({
  ...sleFamily,
  records: sleRecords,
  priority: 'standard',
  catalogue: sleCatalogue,
});
