import { z } from 'zod';
import { id, optBoolean, optId, optNumber, optString, stringList } from './common.js';

/** The device type under either name: the spec's `type`, or `device_type` as some live rows have it. */
function withDeviceType<T extends { type?: string | undefined; device_type?: string | undefined }>(row: T): Omit<T, 'device_type'> & { type: string | undefined } {
  const { device_type: deviceType, ...rest } = row;
  return { ...rest, type: row.type ?? deviceType };
}

/** GET /orgs/{org_id}/inventory rows (§2.5). `site_id` is null for unassigned devices. */
export const InventorySchema = z.object({
  id: optId,
  mac: z.string().min(1),
  serial: optString,
  model: optString,
  type: optString,
  device_type: optString,
  name: optString,
  hostname: optString,
  site_id: optId,
  connected: optBoolean,
  vc_mac: optString,
}).transform(withDeviceType);

const CpuStatSchema = z.object({
  idle: optNumber,
  usage: optNumber,
  user: optNumber,
  system: optNumber,
  interrupt: optNumber,
}).nullish().transform((v) => v ?? undefined);

const MemoryStatSchema = z.object({ usage: optNumber }).nullish().transform((v) => v ?? undefined);

/** One `if_stat` entry (schema if_stat_property): the only place Mist names a port's WAN (`wan_name`, `wan_type`). */
export const IfStatSchema = z.object({
  port_id: optString,
  port_usage: optString,
  wan_name: optString,
  wan_type: optString,
  network_name: optString,
  up: optBoolean,
  ips: stringList,
  redundancy_state: optString,
  servp_info: z.object({ org: optString, asn: optString }).nullish().transform((v) => v ?? undefined),
});

const IfStatMapSchema = z.record(z.string(), IfStatSchema).nullish().transform((v) => v ?? {});

/** GET /orgs/{org_id}/stats/devices?type=gateway rows (stats_gateway, §2.6): consumed fields only. */
export const GatewayStatsSchema = z.object({
  id: optId,
  mac: z.string().min(1),
  type: optString,
  device_type: optString,
  site_id: id,
  org_id: optId,
  name: optString,
  hostname: optString,
  model: optString,
  serial: optString,
  version: optString,
  status: optString,
  uptime: optNumber,
  last_seen: optNumber,
  ip: optString,
  ext_ip: optString,
  is_ha: optBoolean,
  config_status: optString,
  router_name: optString,
  node_name: optString,
  cpu_stat: CpuStatSchema,
  cpu2_stat: CpuStatSchema,
  memory_stat: MemoryStatSchema,
  memory2_stat: MemoryStatSchema,
  if_stat: IfStatMapSchema,
  /** HA clusters report node1's interfaces here. */
  if2_stat: IfStatMapSchema,
}).transform(withDeviceType);

export type InventoryDevice = z.output<typeof InventorySchema>;
export type IfStat = z.output<typeof IfStatSchema>;
export type GatewayStats = z.output<typeof GatewayStatsSchema>;
