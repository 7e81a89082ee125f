import { listInventory, listSitegroups, listSites, searchGatewayPorts } from '../mist/endpoints.js';
import type { MistApi } from '../mist/types.js';
import type { OrgSize } from './family.js';

/** Reads only the org's size from Mist: one limit=1 call per collection (4 calls). */
export async function measureOrg(api: MistApi, orgId: string, signal?: AbortSignal): Promise<OrgSize> {
  const opts = signal ? { signal } : {};
  const [sites, sitegroups, gateways, gatewayPorts] = await Promise.all([
    api.count(listSites(orgId), opts),
    api.count(listSitegroups(orgId), opts),
    api.count(listInventory(orgId), opts),
    api.count(searchGatewayPorts(orgId), opts),
  ]);
  return { sites, sitegroups, gateways, gatewayPorts };
}
