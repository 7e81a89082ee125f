import { defineFamily } from '../define.js';
import { circuitsCatalogue } from './catalogue.js';
import { circuitsFamily } from './collect.js';
import { circuitsRecords } from './records.js';

export const circuits = defineFamily({
  ...circuitsFamily,
  records: circuitsRecords,
  priority: 'availability',
  catalogue: circuitsCatalogue,
});
