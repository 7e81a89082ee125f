import { listInventory, listSitegroups, listSites, searchGatewayPorts, searchVpnPeers } from '../mist/endpoints.js';
import type { MistApi } from '../mist/types.js';
import type { OrgSize } from './family.js';

/** Reads only the org's size from Mist: one limit=1 call per collection (5 calls). */
export async function measureOrg(api: MistApi, orgId: string, signal?: AbortSignal): Promise<OrgSize> {
  const opts = signal ? { signal } : {};
  const [sites, sitegroups, gateways, gatewayPorts, vpnPeerPaths] = await Promise.all([
    api.count(listSites(orgId), opts),
    api.count(listSitegroups(orgId), opts),
    api.count(listInventory(orgId), opts),
    api.count(searchGatewayPorts(orgId), opts),
    api.count(searchVpnPeers(orgId), opts),
  ]);
  return { sites, sitegroups, gateways, gatewayPorts, vpnPeerPaths };
}
