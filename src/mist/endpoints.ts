import { GatewayStatsSchema, InventorySchema, type GatewayStats, type InventoryDevice } from './schemas/devices.js';
import { orgSchemaFor, SiteSchema, SitegroupSchema, type MistOrg, type MistSite, type MistSitegroup } from './schemas/org.js';
import { isGatewayWanPort, PortSchema, type GatewayPort } from './schemas/ports.js';
import { ApiUsageSchema, SelfSchema, type ApiUsage, type MistSelf } from './schemas/self.js';
import { AlarmSchema, DeviceEventSchema, type MistAlarm, type MistDeviceEvent } from './schemas/activity.js';
import { PeerPathSchema, type PeerPath } from './schemas/peers.js';
import {
  ImpactedGatewaysSchema, ImpactedInterfacesSchema, SiteSleSchema, SleSummaryTrendSchema, SleThresholdSchema, WorstSitesSchema,
  type MistImpactedGateways, type MistImpactedInterfaces, type MistSiteSle, type MistSleSummaryTrend, type MistSleThreshold, type MistWorstSites,
} from './schemas/sle.js';
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

/** VPN peer paths of every gateway (both ipsec and svr). */
export function searchVpnPeers(orgId: string): Endpoint<PeerPath> {
  return { name: 'stats_vpn_peers_search', path: `${orgPath(orgId)}/stats/vpn_peers/search`, query: {}, form: 'search-next', limit: MAX_PAGE, schema: PeerPathSchema };
}

/** Per-site WAN SLE scores over the last `duration` (insights body pagination). */
export function getSitesSle(orgId: string, duration = '1h'): Endpoint<MistSiteSle> {
  return { name: 'insights_sites_sle', path: `${orgPath(orgId)}/insights/sites-sle`, query: { sle: 'wan', duration }, form: 'insights-body', limit: MAX_PAGE, schema: SiteSleSchema };
}

/**
 * The worst sites for one SLE metric, worst first (Mist returns its first `limit`, default 10). One unpaged body:
 * rows are validated one by one by the caller (worstSiteRowSchema), so one bad row does not fail the call.
 */
export function getWorstSites(orgId: string, sle: string, duration = '1h'): Endpoint<MistWorstSites> {
  return { name: 'insights_worst_sites_by_sle', path: `${orgPath(orgId)}/insights/worst-sites-by-sle`, query: { sle, duration }, form: 'none', limit: 0,
    schema: WorstSitesSchema };
}

/** A time bound as Mist takes it: epoch seconds (whole) or a relative string ("now", "-1d"). */
const bound = (t: number | string, round: (n: number) => number): number | string => (typeof t === 'number' ? round(t) : t);

/**
 * Alarms in [start, end] (epoch seconds, or Mist's relative "-1d" / "now": `end` defaults to the server's now),
 * oldest first. The simulator returns alarms whose life [timestamp, last_seen] overlaps the window; live Mist
 * may select by `timestamp` only (the alarms family re-reads its open alarms' window for that reason).
 */
export function searchAlarms(orgId: string, start: number | string, end: number | string = 'now'): Endpoint<MistAlarm> {
  return { name: 'alarms_search', path: `${orgPath(orgId)}/alarms/search`, query: { start: bound(start, Math.floor), end: bound(end, Math.ceil), sort: 'timestamp' },
    form: 'search-next', limit: MAX_PAGE, schema: AlarmSchema };
}

/**
 * Gateway device events of the given types in [start, end] (epoch seconds or relative; `end` defaults to the
 * server's now), oldest first. Mist's default device_type is ap: always pass gateway. Rows of another device
 * type or event type (a server that ignores a filter, the spec's examples) are left out by `keep`.
 */
export function searchGatewayEvents(orgId: string, types: readonly string[], start: number | string, end: number | string = 'now'): Endpoint<MistDeviceEvent> {
  const wanted = new Set(types);
  return { name: 'devices_events_search', path: `${orgPath(orgId)}/devices/events/search`,
    query: { device_type: 'gateway', type: types.join(','), start: bound(start, Math.floor), end: bound(end, Math.ceil), sort: 'timestamp' },
    form: 'search-next', limit: MAX_PAGE, schema: DeviceEventSchema,
    keep: (e) => (e.device_type === undefined || e.device_type === 'gateway') && wanted.has(e.type) };
}

const sitePath = (siteId: string, metric: string): string =>
  `/api/v1/sites/${encodeURIComponent(siteId)}/sle/site/${encodeURIComponent(siteId)}/metric/${encodeURIComponent(metric)}`;

export function getSleSummaryTrend(siteId: string, metric: string, duration = '1h'): Endpoint<MistSleSummaryTrend> {
  return { name: 'sle_summary_trend', path: `${sitePath(siteId, metric)}/summary-trend`, query: { duration }, form: 'none', limit: 0, schema: SleSummaryTrendSchema };
}

export function getSleImpactedInterfaces(siteId: string, metric: string, duration = '1h'): Endpoint<MistImpactedInterfaces> {
  return { name: 'sle_impacted_interfaces', path: `${sitePath(siteId, metric)}/impacted-interfaces`, query: { duration }, form: 'none', limit: 0, schema: ImpactedInterfacesSchema };
}

export function getSleImpactedGateways(siteId: string, metric: string, duration = '1h'): Endpoint<MistImpactedGateways> {
  return { name: 'sle_impacted_gateways', path: `${sitePath(siteId, metric)}/impacted-gateways`, query: { duration }, form: 'none', limit: 0, schema: ImpactedGatewaysSchema };
}

export function getSleThreshold(siteId: string, metric: string): Endpoint<MistSleThreshold> {
  return { name: 'sle_threshold', path: `${sitePath(siteId, metric)}/threshold`, query: {}, form: 'none', limit: 0, schema: SleThresholdSchema };
}
