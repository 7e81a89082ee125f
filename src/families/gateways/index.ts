import { pagesFor, sizeOf } from '../../collect/family.js';
import { listInventory } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { gatewaysCatalogue } from './catalogue.js';
import { collectGateways } from './collect.js';
import { gatewaysRecords } from './records.js';

/** The gateways family: everything about it, registered by one line in ../registry.ts. */
export const gatewaysFamily = defineFamily({
  name: 'gateways',
  records: gatewaysRecords,
  priority: 'availability',
  defaultIntervalSeconds: 120,
  sizeProbes: { gateways: sizeProbe(listInventory, 'gateways') },
  callsPerCycle: (size) => 2 * pagesFor(sizeOf(size, 'gateways')),
  run: collectGateways,
  catalogue: gatewaysCatalogue,
});
