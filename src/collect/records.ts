import { z } from 'zod';

/**
 * What the collector stores per family: records in base units (seconds, bytes, ratios 0–1), mapped from Mist
 * JSON by pure functions. This is the contract with the exporter, which validates records with these schemas
 * where they leave the store and renders them as metrics. Bump the store key prefix's version when a record
 * shape changes incompatibly.
 */
export const STORE_SCHEMA_VERSION = 1;

const num = z.number().nullable();
const str = z.string().nullable();

export const OrgRecordSchema = z.object({
  org_id: z.string(),
  name: z.string(),
});

export const SiteRecordSchema = z.object({
  site_id: z.string(),
  name: z.string(),
  /** Region from the site's region site group (see regions.ts), or 'unknown'. */
  region: z.string(),
  /** Names of all the site's site groups, sorted. */
  sitegroups: z.array(z.string()),
  country_code: str,
  timezone: str,
  address: str,
  latitude: num,
  longitude: num,
});

export const GatewayWanInterfaceSchema = z.object({
  port_id: z.string(),
  wan_name: z.string(),
  wan_type: z.string(),
});

export const GatewayRecordSchema = z.object({
  mac: z.string(),
  id: str,
  site_id: str,
  name: z.string(),
  model: z.string(),
  version: z.string(),
  serial: z.string(),
  status: z.string(),
  /** From inventory: connected to the cloud; null when the gateway has no inventory row. */
  connected: z.boolean().nullable(),
  uptime_seconds: num,
  /** last_seen − uptime: stable across polls, unlike uptime. */
  boot_time_seconds: num,
  last_seen_seconds: num,
  cpu_ratio: num,
  memory_ratio: num,
  is_ha: z.boolean(),
  /** WAN interfaces from if_stat/if2_stat: the only source of wan_name and wan_type. */
  wan_interfaces: z.array(GatewayWanInterfaceSchema),
});

export const WanPortRecordSchema = z.object({
  site_id: z.string(),
  /** Gateway MAC. */
  mac: z.string(),
  port_id: z.string(),
  /** From the gateway's if_stat; port_id when the gateway snapshot does not know the port. */
  wan_name: z.string(),
  wan_type: z.string(),
  up: z.boolean().nullable(),
  disabled: z.boolean().nullable(),
  /** Link speed (Mist reports Mbps) in bytes per second. */
  speed_bytes_per_second: num,
  /** Circuit bandwidth: configured where Mist provides it (it does not on these endpoints), else the speed. */
  bandwidth_bytes_per_second: num,
  rx_bytes: num,
  tx_bytes: num,
  rx_packets: num,
  tx_packets: num,
  last_flapped_seconds: num,
  jitter_seconds: num,
  latency_seconds: num,
  loss_ratio: num,
});

export type OrgRecord = z.infer<typeof OrgRecordSchema>;
export type SiteRecord = z.infer<typeof SiteRecordSchema>;
export type GatewayWanInterface = z.infer<typeof GatewayWanInterfaceSchema>;
export type GatewayRecord = z.infer<typeof GatewayRecordSchema>;
export type WanPortRecord = z.infer<typeof WanPortRecordSchema>;
