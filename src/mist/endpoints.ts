import { GatewayStatsSchema, InventorySchema, type GatewayStats, type InventoryDevice } from './schemas/devices.js';
import { orgSchemaFor, SiteSchema, SitegroupSchema, type MistOrg, type MistSite, type MistSitegroup } from './schemas/org.js';
import { isGatewayWanPort, PortSchema, type GatewayPort } from './schemas/ports.js';
import { ApiUsageSchema, SelfSchema, type ApiUsage, type MistSelf } from './schemas/self.js';
import type { Endpoint } from './types.js';

/**
 * Every Mist endpoint the exporter calls, declared once. Org collections use Mist's largest page (1,000 rows)
 * so a 3,208-site org costs a handful of calls per family (docs/mist-api.md §5).
 */

export const MAX_PAGE = 1000;

const orgPath = (orgId: string): string => `/api/v1/orgs/${encodeURIComponent(orgId)}`;

export function getSelf(): Endpoint<MistSelf> {
  return { name: 'self', path: '/api/v1/self', query: {}, form: 'none', limit: 0, schema: SelfSchema };
}

/** Counts against the token's budget like any call (whether Mist counts it is unknown). */
export function getSelfUsage(): Endpoint<ApiUsage> {
  return { name: 'self_usage', path: '/api/v1/self/usage', query: {}, form: 'none', limit: 0, schema: ApiUsageSchema };
}

export function getOrg(orgId: string): Endpoint<MistOrg> {
  return { name: 'org', path: orgPath(orgId), query: {}, form: 'none', limit: 0, schema: orgSchemaFor(orgId) };
}

export function listSites(orgId: string): Endpoint<MistSite> {
  return { name: 'sites', path: `${orgPath(orgId)}/sites`, query: {}, form: 'page-headers', limit: MAX_PAGE, schema: SiteSchema };
}

export function listSitegroups(orgId: string): Endpoint<MistSitegroup> {
  return { name: 'sitegroups', path: `${orgPath(orgId)}/sitegroups`, query: {}, form: 'page-headers', limit: MAX_PAGE, schema: SitegroupSchema };
}

/** Gateways in the inventory (`unassigned` ones included: Mist's default). */
export function listInventory(orgId: string): Endpoint<InventoryDevice> {
  return {
    name: 'inventory', path: `${orgPath(orgId)}/inventory`, query: { type: 'gateway' }, form: 'page-headers', limit: MAX_PAGE,
    schema: InventorySchema, keep: (d) => d.type === 'gateway',
  };
}

/** Mist's default `type` is `ap`: without type=gateway the answer is empty. */
export function listGatewayStats(orgId: string): Endpoint<GatewayStats> {
  return {
    name: 'stats_devices', path: `${orgPath(orgId)}/stats/devices`, query: { type: 'gateway' }, form: 'page-headers', limit: MAX_PAGE,
    schema: GatewayStatsSchema, keep: (d) => d.type === undefined || d.type === 'gateway',
  };
}

/**
 * Gateway WAN ports. `device_type` is the filter's name since spec 2602 (the 2511 `type` is gone); LAN ports
 * come back too and are left out by `keep`, so `count()` on this endpoint counts both (what paging costs).
 */
export function searchGatewayPorts(orgId: string): Endpoint<GatewayPort> {
  return {
    name: 'stats_ports_search', path: `${orgPath(orgId)}/stats/ports/search`, query: { device_type: 'gateway' }, form: 'search-next', limit: MAX_PAGE,
    schema: PortSchema, keep: isGatewayWanPort,
  };
}
