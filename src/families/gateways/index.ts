import { gatewaysFamily } from '../../collect/families/gateways.js';
import { gatewaysCatalogue } from '../../metrics/catalogue/gateways.js';
import { listInventory } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { gatewaysRecords } from './records.js';

export const gateways = defineFamily({
  ...gatewaysFamily,
  records: gatewaysRecords,
  priority: 'availability',
  sizeProbes: { gateways: sizeProbe(listInventory, 'gateways') },
  catalogue: gatewaysCatalogue,
});
