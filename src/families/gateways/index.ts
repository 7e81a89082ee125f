import { listInventory } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { gatewaysCatalogue } from './catalogue.js';
import { gatewaysFamily } from './collect.js';
import { gatewaysRecords } from './records.js';

export const gateways = defineFamily({
  ...gatewaysFamily,
  records: gatewaysRecords,
  priority: 'availability',
  sizeProbes: { gateways: sizeProbe(listInventory, 'gateways') },
  catalogue: gatewaysCatalogue,
});
