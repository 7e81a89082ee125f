import { circuitsFamily } from '../../collect/families/circuits.js';
import { circuitsCatalogue } from '../../metrics/catalogue/circuits.js';
import { defineFamily } from '../define.js';
import { circuitsRecords } from './records.js';

export const circuits = defineFamily({
  ...circuitsFamily,
  records: circuitsRecords,
  priority: 'availability',
  catalogue: circuitsCatalogue,
});
