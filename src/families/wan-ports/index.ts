import { pagesFor, sizeOf } from '../../collect/family.js';
import { searchGatewayPorts } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { wanPortsCatalogue } from './catalogue.js';
import { collectWanPorts } from './collect.js';
import { wanPortsRecords } from './records.js';

/** The wan-ports family: everything about it, registered by one line in ../registry.ts. */
export const wanPortsFamily = defineFamily({
  name: 'wan-ports',
  records: wanPortsRecords,
  priority: 'availability',
  defaultIntervalSeconds: 60,
  sizeProbes: { 'wan-ports': sizeProbe(searchGatewayPorts, 'gateway port rows') },
  callsPerCycle: (size) => pagesFor(sizeOf(size, 'wan-ports')),
  run: collectWanPorts,
  catalogue: wanPortsCatalogue,
});
