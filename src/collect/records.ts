/**
 * What the collector stores per family: records in base units (seconds, bytes, ratios 0–1), mapped from Mist
 * JSON by pure functions. This is the contract with the exporter, which renders these records as metrics.
 * Bump STORE_SCHEMA_VERSION (and the store key prefix) when a record shape changes incompatibly.
 */
export const STORE_SCHEMA_VERSION = 1;

export interface OrgRecord {
  readonly org_id: string;
  readonly name: string;
}

export interface SiteRecord {
  readonly site_id: string;
  readonly name: string;
  /** Region from the site's region site group (see regions.ts), or 'unknown'. */
  readonly region: string;
  /** Names of all the site's site groups, sorted. */
  readonly sitegroups: readonly string[];
  readonly country_code: string | null;
  readonly timezone: string | null;
  readonly address: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
}

export interface GatewayWanInterface {
  readonly port_id: string;
  readonly wan_name: string;
  readonly wan_type: string;
}

export interface GatewayRecord {
  readonly mac: string;
  readonly id: string | null;
  readonly site_id: string | null;
  readonly name: string;
  readonly model: string;
  readonly version: string;
  readonly serial: string;
  readonly status: string;
  /** From inventory: connected to the cloud; null when the gateway has no inventory row. */
  readonly connected: boolean | null;
  readonly uptime_seconds: number | null;
  /** last_seen − uptime: stable across polls, unlike uptime. */
  readonly boot_time_seconds: number | null;
  readonly last_seen_seconds: number | null;
  readonly cpu_ratio: number | null;
  readonly memory_ratio: number | null;
  readonly is_ha: boolean;
  /** WAN interfaces from if_stat/if2_stat: the only source of wan_name and wan_type. */
  readonly wan_interfaces: readonly GatewayWanInterface[];
}

export interface WanPortRecord {
  readonly site_id: string;
  /** Gateway MAC. */
  readonly mac: string;
  readonly port_id: string;
  /** From the gateway's if_stat; port_id when the gateway snapshot does not know the port. */
  readonly wan_name: string;
  readonly wan_type: string;
  readonly up: boolean | null;
  readonly disabled: boolean | null;
  /** Link speed (Mist reports Mbps) in bytes per second. */
  readonly speed_bytes_per_second: number | null;
  /** Circuit bandwidth: configured where Mist provides it (it does not on these endpoints), else the speed. */
  readonly bandwidth_bytes_per_second: number | null;
  readonly rx_bytes: number | null;
  readonly tx_bytes: number | null;
  readonly rx_packets: number | null;
  readonly tx_packets: number | null;
  readonly last_flapped_seconds: number | null;
  readonly jitter_seconds: number | null;
  readonly latency_seconds: number | null;
  readonly loss_ratio: number | null;
}
