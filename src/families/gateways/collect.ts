import { prefetchThenWalk, type FamilyContext, type FamilyPage } from '../../collect/family.js';
import { listGatewayStats, listInventory } from '../../mist/endpoints.js';
import type { Cursor } from '../../mist/types.js';
import type { GatewayRecord, GatewayWanInterface } from './records.js';

export interface IfStatIn {
  readonly port_id?: string | null | undefined;
  readonly port_usage?: string | null | undefined;
  readonly wan_name?: string | null | undefined;
  readonly wan_type?: string | null | undefined;
}

export interface GatewayStatsIn {
  readonly mac: string;
  readonly id?: string | null | undefined;
  readonly site_id?: string | null | undefined;
  readonly name?: string | null | undefined;
  readonly model?: string | null | undefined;
  readonly version?: string | null | undefined;
  readonly serial?: string | null | undefined;
  readonly status?: string | null | undefined;
  readonly uptime?: number | null | undefined;
  readonly last_seen?: number | null | undefined;
  readonly is_ha?: boolean | null | undefined;
  readonly cpu_stat?: { readonly usage?: number | null | undefined; readonly idle?: number | null | undefined } | null | undefined;
  readonly memory_stat?: { readonly usage?: number | null | undefined } | null | undefined;
  readonly if_stat?: Readonly<Record<string, IfStatIn>> | null | undefined;
  readonly if2_stat?: Readonly<Record<string, IfStatIn>> | null | undefined;
}

export interface InventoryIn {
  readonly mac: string;
  readonly connected?: boolean | null | undefined;
}

/** WAN interfaces of a gateway from if_stat (node0) and if2_stat (node1 of an HA pair), one per port. */
export function wanInterfaces(g: GatewayStatsIn): GatewayWanInterface[] {
  const byPort = new Map<string, GatewayWanInterface>();
  for (const table of [g.if_stat, g.if2_stat]) {
    for (const [ifName, s] of Object.entries(table ?? {})) {
      if (s.port_usage !== 'wan') continue;
      const portId = s.port_id ?? ifName.split('.')[0] ?? ifName;
      if (!byPort.has(portId)) byPort.set(portId, { port_id: portId, wan_name: s.wan_name ?? portId, wan_type: s.wan_type ?? 'unknown' });
    }
  }
  return [...byPort.values()].sort((a, b) => (a.port_id < b.port_id ? -1 : 1));
}

/** Mist reports CPU as a percentage (usage, or 100 − idle) and memory usage as a percentage: ratios here. */
export function mapGateway(g: GatewayStatsIn, connected: ReadonlyMap<string, boolean>): GatewayRecord {
  const cpu = g.cpu_stat?.usage ?? (g.cpu_stat?.idle != null ? 100 - g.cpu_stat.idle : null);
  const uptime = g.uptime ?? null;
  const lastSeen = g.last_seen ?? null;
  return {
    mac: g.mac,
    id: g.id ?? null,
    site_id: g.site_id ?? null,
    name: g.name ?? g.mac,
    model: g.model ?? '',
    version: g.version ?? '',
    serial: g.serial ?? '',
    status: g.status ?? 'unknown',
    connected: connected.get(g.mac) ?? null,
    uptime_seconds: uptime,
    boot_time_seconds: uptime !== null && lastSeen !== null && uptime > 0 ? Math.round(lastSeen - uptime) : null,
    last_seen_seconds: lastSeen,
    cpu_ratio: cpu === null ? null : cpu / 100,
    memory_ratio: g.memory_stat?.usage != null ? g.memory_stat.usage / 100 : null,
    is_ha: g.is_ha ?? false,
    wan_interfaces: wanInterfaces(g),
  };
}

/**
 * Gateways: inventory (connected flag, one or a few pages) joined into stats/devices?type=gateway (status,
 * uptime, CPU, memory, if_stat with wan_name/wan_type), walked page by page.
 */
export function collectGateways(ctx: FamilyContext, from: Cursor | null): AsyncGenerator<FamilyPage<GatewayRecord>> {
  return prefetchThenWalk(ctx, from, listInventory(ctx.orgId), listGatewayStats(ctx.orgId), (inventory) => {
    const connected = new Map<string, boolean>();
    for (const d of inventory) if (d.connected != null) connected.set(d.mac, d.connected);
    return (g) => mapGateway(g, connected);
  });
}
