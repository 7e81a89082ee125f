import { orgFamily } from '../../collect/families/org.js';
import { orgCatalogue } from '../../metrics/catalogue/sites.js';
import { defineFamily } from '../define.js';
import { orgRecords } from './records.js';

export const org = defineFamily({
  ...orgFamily,
  records: orgRecords,
  priority: 'standard',
  catalogue: orgCatalogue,
});
