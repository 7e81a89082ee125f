import { vpnPeersFamily } from '../../collect/families/vpn-peers.js';
import { vpnPeersCatalogue } from '../../metrics/catalogue/vpn-peers.js';
import { searchVpnPeers } from '../../mist/endpoints.js';
import { defineFamily, sizeProbe } from '../define.js';
import { vpnPeersRecords } from './records.js';

export const vpnPeers = defineFamily({
  ...vpnPeersFamily,
  records: vpnPeersRecords,
  priority: 'standard',
  sizeProbes: { 'vpn-peers': sizeProbe(searchVpnPeers, 'VPN peer paths') },
  catalogue: vpnPeersCatalogue,
});
