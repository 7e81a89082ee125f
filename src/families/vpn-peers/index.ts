import { pagesFor, sizeOf } from '../../collect/family.js';
import { searchVpnPeers } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { vpnPeersCatalogue } from './catalogue.js';
import { collectVpnPeers } from './collect.js';
import { vpnPeersRecords } from './records.js';

/** The vpn-peers family: everything about it, registered by one line in ../registry.ts. */
export const vpnPeersFamily = defineFamily({
  name: 'vpn-peers',
  records: vpnPeersRecords,
  priority: 'standard',
  defaultIntervalSeconds: 120,
  sizeProbes: { 'vpn-peers': sizeProbe(searchVpnPeers, 'VPN peer paths') },
  callsPerCycle: (size) => pagesFor(sizeOf(size, 'vpn-peers')),
  run: collectVpnPeers,
  catalogue: vpnPeersCatalogue,
});
