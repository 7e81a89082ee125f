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

/** One VPN peer path (stats/vpn_peers/search), identified by gateway, port, peer gateway, peer port and path type. */
export const VpnPathRecordSchema = z.object({
  site_id: str,
  /** The gateway (spoke) reporting the path. */
  mac: z.string(),
  /**
   * The local port's id (ge-0/0/0), as wan-ports and circuits name it: Mist reports a port id on SRX (ipsec) rows
   * but the WAN interface name on SSR (svr) rows, so it is resolved through the gateway's wan_interfaces (gateways
   * snapshot). A row that cannot be resolved keeps what Mist reported.
   */
  port_id: z.string(),
  /** The local port's WAN interface name (wan1): Mist's value on svr rows, from wan_interfaces on ipsec rows; null when unknown. */
  wan_name: str,
  peer_mac: z.string(),
  /** The peer gateway's port id, resolved like port_id through the peer gateway's wan_interfaces when it is known. */
  peer_port_id: z.string(),
  /** The peer port's WAN interface name, like wan_name. */
  peer_wan_name: str,
  /** Mist's `type`: ipsec (SRX) or svr (SSR); 'unknown' when absent. */
  path_type: z.string(),
  peer_site_id: str,
  router_name: str,
  peer_router_name: str,
  up: z.boolean().nullable(),
  /** The path is the active one of its redundancy group (carrying traffic). */
  is_active: z.boolean().nullable(),
  loss_ratio: num,
  latency_seconds: num,
  jitter_seconds: num,
  /** Mean opinion score as Mist reports it (a unit-less score up to 5). */
  mos: num,
  mtu_bytes: num,
  /** When the path came up (last_seen − uptime, or uptime itself when Mist reports an epoch there). */
  up_since_seconds: num,
  /**
   * Whether port_id / peer_port_id were found among the (peer) gateway's wan_interfaces (false: Mist's value
   * kept). Absent on records written before these fields existed.
   */
  port_resolved: z.boolean().optional(),
  peer_port_resolved: z.boolean().optional(),
});

/**
 * Where a circuit's contracted bandwidth comes from: both directions from the circuit inventory, both from the
 * port's link speed, or one from each (the inventory gives only one direction).
 */
export const BANDWIDTH_SOURCES = ['inventory', 'port_speed', 'mixed'] as const;

/**
 * A gateway WAN port as a circuit: its role, whether it is the gateway's active circuit, and its contract
 * (bandwidth per direction, provider, circuit id) from the circuit inventory where it has the port.
 */
export const CircuitRecordSchema = z.object({
  kind: z.literal('circuit'),
  site_id: z.string(),
  mac: z.string(),
  port_id: z.string(),
  wan_name: z.string(),
  wan_type: z.string(),
  /** From the circuit inventory, else CIRCUIT_ROLES (by wan_name or port_id), else the positional default. */
  role: z.string(),
  active: z.boolean(),
  /** Contracted bandwidth per direction (receive = the line's downstream), bytes per second; null when unknown. */
  receive_bandwidth_bytes_per_second: num,
  transmit_bandwidth_bytes_per_second: num,
  bandwidth_source: z.enum(BANDWIDTH_SOURCES),
  provider: str,
  circuit_id: str,
});

/** The circuit inventory as the last cycle applied it (only while CIRCUIT_INVENTORY_FILE is set and read). */
export const CircuitInventoryRecordSchema = z.object({
  kind: z.literal('inventory'),
  /** Entries in the file that apply to the org (no `org`, or the org's id). */
  entries: z.number().int().min(0),
  /** When the file was (re-)read, Unix seconds. */
  loaded_seconds: z.number(),
  /** The file loader's health (absent when the source reports none): last read accepted, reads rejected since start, problems of the last rejected read. */
  load_ok: z.boolean().optional(),
  load_failures: z.number().int().min(0).optional(),
  load_problems: z.number().int().min(0).optional(),
});

/** An inventory entry that names a site or port the org does not have: reported, never silently ignored. */
export const CircuitUnmatchedRecordSchema = z.object({
  kind: z.literal('unmatched'),
  /** The site and port as written in the file. */
  site: z.string(),
  port: z.string(),
  line: z.number().int(),
  reason: z.string(),
});

/** A gateway's active circuit: rendered, and the previous state the next cycle compares with (failovers). */
export const CircuitGatewayRecordSchema = z.object({
  kind: z.literal('gateway'),
  site_id: z.string(),
  mac: z.string(),
  /** null: no circuit is active (every port down, or the gateway disconnected). */
  active_port_id: str,
  active_role: str,
  /** How the active circuit was found: 'vpn' (it carries the active VPN paths) or 'ports' (the first up circuit by role). */
  active_source: z.enum(['vpn', 'ports']).nullable(),
});

export const CircuitsRecordSchema = z.discriminatedUnion('kind', [CircuitRecordSchema, CircuitGatewayRecordSchema, CircuitInventoryRecordSchema, CircuitUnmatchedRecordSchema]);

export type VpnPathRecord = z.infer<typeof VpnPathRecordSchema>;
export type CircuitRecord = z.infer<typeof CircuitRecordSchema>;
export type CircuitGatewayRecord = z.infer<typeof CircuitGatewayRecordSchema>;
export type CircuitInventoryRecord = z.infer<typeof CircuitInventoryRecordSchema>;
export type CircuitUnmatchedRecord = z.infer<typeof CircuitUnmatchedRecordSchema>;
export type BandwidthSource = (typeof BANDWIDTH_SOURCES)[number];
export type CircuitsRecord = z.infer<typeof CircuitsRecordSchema>;

/**
 * sle family (insights/sites-sle?sle=wan and worst-sites-by-sle): one record per (site, SLE) score, one per site
 * for its counts, one per (SLE, worst site). `sle` is Mist's metric name (gateway-health, wan-link-health,
 * application-health).
 */
export const SleScoreRecordSchema = z.object({ kind: z.literal('score'), site_id: z.string(), sle: z.string(), ratio: z.number().min(0).max(1) });
export const SleSiteRecordSchema = z.object({ kind: z.literal('site'), site_id: z.string(), gateways: num, clients: num });
/** Rank 1 = worst: the row's position in Mist's worst-sites-by-sle answer. */
export const SleWorstRecordSchema = z.object({ kind: z.literal('worst'), site_id: z.string(), sle: z.string(), rank: z.number().int().positive() });
export const SleRecordSchema = z.discriminatedUnion('kind', [SleScoreRecordSchema, SleSiteRecordSchema, SleWorstRecordSchema]);

/**
 * sle-details family: details of degraded (site, SLE) pairs. A `details` record per pair that has details (when
 * they were fetched, how many cycles they have been carried forward since); `classifier`, `interface` and
 * `gateway` records hold degraded shares (degraded / total over the window); `threshold` Mist's SLE threshold
 * in Mist's units; a `cycle` record (threshold, calls, budget) and three `state` records summarise the cycle.
 */
const sleKey = { site_id: z.string(), sle: z.string() };
const share = z.number().min(0).max(1);
export const SleDetailsPairRecordSchema = z.object({
  kind: z.literal('details'), ...sleKey,
  /** The score that made the pair degraded when its details were fetched. */
  score_ratio: z.number().min(0).max(1),
  /** End of the summary-trend window the details cover (Mist's `end`, Unix seconds). */
  window_end_seconds: z.number(),
  /** 0: fetched this cycle; n: carried forward from n cycles ago (still degraded, not reached within the budget). */
  carried_cycles: z.number().int().min(0),
});
export const SleClassifierRecordSchema = z.object({ kind: z.literal('classifier'), ...sleKey, classifier: z.string(), degraded_ratio: share });
export const SleInterfaceRecordSchema = z.object({ kind: z.literal('interface'), ...sleKey, mac: z.string(),
  /** Mist's interface_name as the port id (resolved through the gateway's wan_interfaces like VPN path ports; kept as is when not found). */
  port_id: z.string(), degraded_ratio: share });
export const SleGatewayRecordSchema = z.object({ kind: z.literal('gateway'), ...sleKey, mac: z.string(), degraded_ratio: share });
export const SleThresholdRecordSchema = z.object({
  kind: z.literal('threshold'), ...sleKey,
  /** Mist's threshold in Mist's units (%, ms, …: see units); null when Mist gives none. */
  threshold: num,
  units: z.string(),
  direction: z.string(),
  /** Cycles since it was fetched (refetched after a day's worth of cycles). */
  age_cycles: z.number().int().min(0),
});
export const SleDetailsCycleRecordSchema = z.object({
  kind: z.literal('cycle'),
  /** SLE_DEGRADED_THRESHOLD: scores below it are degraded. */
  threshold_ratio: z.number(),
  /** Calls this cycle made, and the calls it was allowed (null: unbounded, outside a plan). */
  calls: z.number().int().min(0),
  call_budget: z.number().int().min(0).nullable(),
});
/** Degraded (site, SLE) pairs of the sle snapshot by state: details polled this cycle, carried forward, or none. */
export const SLE_DETAILS_STATES = ['polled', 'carried', 'missing'] as const;
export const SleDetailsStateRecordSchema = z.object({ kind: z.literal('state'), state: z.enum(SLE_DETAILS_STATES), pairs: z.number().int().min(0) });
export const SleDetailsRecordSchema = z.discriminatedUnion('kind', [
  SleDetailsPairRecordSchema, SleClassifierRecordSchema, SleInterfaceRecordSchema, SleGatewayRecordSchema, SleThresholdRecordSchema,
  SleDetailsCycleRecordSchema, SleDetailsStateRecordSchema,
]);

export type SleRecord = z.infer<typeof SleRecordSchema>;
export type SleScoreRecord = z.infer<typeof SleScoreRecordSchema>;
export type SleDetailsRecord = z.infer<typeof SleDetailsRecordSchema>;
export type SleDetailsPairRecord = z.infer<typeof SleDetailsPairRecordSchema>;
export type SleThresholdRecord = z.infer<typeof SleThresholdRecordSchema>;
export type SleDetailsCycleRecord = z.infer<typeof SleDetailsCycleRecordSchema>;

/**
 * alarms family (alarms/search): its own state, carried from cycle to cycle in its snapshot, plus what is
 * rendered. `cursor`: the server's now at the end of the last walk; `alarm`: a known alarm (open, or resolved
 * within the retention), deduplicated by id; `active`: open alarms counted per (site, type, severity, group),
 * derived from the `alarm` records (0 while only resolved ones are retained).
 */
export const AlarmsCursorRecordSchema = z.object({
  kind: z.literal('cursor'),
  /** The server's `end` of the last walk (Unix seconds). */
  until_seconds: z.number(),
});
export const AlarmRecordSchema = z.object({
  kind: z.literal('alarm'),
  id: z.string(),
  site_id: str,
  type: z.string(),
  group: z.string(),
  severity: z.string(),
  /** Mist's status is `open` (or absent without a resolved_time). */
  open: z.boolean(),
  /** Incidents within the alarm's window. */
  count: num,
  timestamp_seconds: z.number(),
  last_seen_seconds: z.number(),
  resolved_seconds: num,
});
export const AlarmsActiveRecordSchema = z.object({
  kind: z.literal('active'),
  site_id: str,
  type: z.string(),
  severity: z.string(),
  group: z.string(),
  active: z.number().int().min(0),
});
export const AlarmsRecordSchema = z.discriminatedUnion('kind', [AlarmsCursorRecordSchema, AlarmRecordSchema, AlarmsActiveRecordSchema]);

/**
 * events family (devices/events/search?device_type=gateway): its own state plus what is rendered. `cursor`:
 * where the next walk starts (the server's `end` of the last one, less an overlap) and the dedupe keys of the
 * events inside that overlap; `port`: a gateway port with the time of its latest GW_PORT_DOWN/UP event.
 */
export const EventsCursorRecordSchema = z.object({
  kind: z.literal('cursor'),
  /** The server's `end` of the last walk (Unix seconds). */
  until_seconds: z.number(),
  /** Keys (timestamp|mac|type|port_id|text) of the events at or after until − overlap: seen, not to count again. */
  seen: z.array(z.string()),
});
export const PortFlapRecordSchema = z.object({
  kind: z.literal('port'),
  site_id: z.string(),
  mac: z.string(),
  port_id: z.string(),
  /** Timestamp of the latest GW_PORT_DOWN/UP event (Unix seconds); null: none seen (a WAN port known from wan-ports). */
  last_flap_seconds: num,
  /**
   * The port's GW_PORT_DOWN/UP events of the last PORT_TRANSITIONS_SECONDS as [timestamp, up], oldest first: what
   * the circuits family replays to see a failover and fail-back between two of its cycles. Absent in old records.
   */
  transitions: z.array(z.tuple([z.number(), z.boolean()])).optional(),
});
export const EventsRecordSchema = z.discriminatedUnion('kind', [EventsCursorRecordSchema, PortFlapRecordSchema]);

export type AlarmRecord = z.infer<typeof AlarmRecordSchema>;
export type AlarmsActiveRecord = z.infer<typeof AlarmsActiveRecordSchema>;
export type AlarmsCursorRecord = z.infer<typeof AlarmsCursorRecordSchema>;
export type AlarmsRecord = z.infer<typeof AlarmsRecordSchema>;
export type EventsCursorRecord = z.infer<typeof EventsCursorRecordSchema>;
export type PortFlapRecord = z.infer<typeof PortFlapRecordSchema>;
export type EventsRecord = z.infer<typeof EventsRecordSchema>;
