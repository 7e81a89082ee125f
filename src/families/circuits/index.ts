import { defineFamily } from '../define.js';
import { circuitsCatalogue } from './catalogue.js';
import { collectCircuits } from './collect.js';
import { circuitsRecords } from './records.js';

/** The circuits family: everything about it, registered by one line in ../registry.ts. */
export const circuitsFamily = defineFamily({
  name: 'circuits',
  records: circuitsRecords,
  priority: 'availability',
  defaultIntervalSeconds: 60,
  callsPerCycle: () => 0,
  resumable: false,
  run: collectCircuits,
  catalogue: circuitsCatalogue,
});
