import { wanPortsFamily } from '../../collect/families/wan-ports.js';
import { wanPortsCatalogue } from '../../metrics/catalogue/wan-ports.js';
import { searchGatewayPorts } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { wanPortsRecords } from './records.js';

export const wanPorts = defineFamily({
  ...wanPortsFamily,
  records: wanPortsRecords,
  priority: 'availability',
  sizeProbes: { 'wan-ports': sizeProbe(searchGatewayPorts, 'gateway port rows') },
  catalogue: wanPortsCatalogue,
});
