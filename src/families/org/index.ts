import { defineFamily } from '../define.js';
import { orgCatalogue } from './catalogue.js';
import { orgFamily } from './collect.js';
import { orgRecords } from './records.js';

export const org = defineFamily({
  ...orgFamily,
  records: orgRecords,
  priority: 'standard',
  catalogue: orgCatalogue,
});
