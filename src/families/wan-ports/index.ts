import { searchGatewayPorts } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { wanPortsCatalogue } from './catalogue.js';
import { wanPortsFamily } from './collect.js';
import { wanPortsRecords } from './records.js';

export const wanPorts = defineFamily({
  ...wanPortsFamily,
  records: wanPortsRecords,
  priority: 'availability',
  sizeProbes: { 'wan-ports': sizeProbe(searchGatewayPorts, 'gateway port rows') },
  catalogue: wanPortsCatalogue,
});
