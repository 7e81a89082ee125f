import { searchVpnPeers } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { vpnPeersCatalogue } from './catalogue.js';
import { vpnPeersFamily } from './collect.js';
import { vpnPeersRecords } from './records.js';

export const vpnPeers = defineFamily({
  ...vpnPeersFamily,
  records: vpnPeersRecords,
  priority: 'standard',
  sizeProbes: { 'vpn-peers': sizeProbe(searchVpnPeers, 'VPN peer paths') },
  catalogue: vpnPeersCatalogue,
});
