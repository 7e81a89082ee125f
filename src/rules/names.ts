/**
 * Names of every recorded series: the contract docs/kpis.md documents and the dashboards (G) build on.
 * Form `level:metric:operations` (prometheus.io/docs/practices/rules). Levels of aggregation:
 * - `site_circuit`: one WAN circuit, labels {org_id, site_id, mac, port_id};
 * - `site_gateway`: one gateway, labels {org_id, site_id, mac};
 * - `site`: one site, labels {org_id, site_id};
 * - `region`: labels {org_id, region} (the region label of mist_site_info; "" for sites without one).
 * Grains in the operations suffix: `1m` per minute (recorded every minute), `5m` a trailing 5-minute value,
 * `1h` a trailing hour recorded every minute, `1d` the last whole UTC day recorded once a day (just after 00:00 UTC).
 * Thresholded series carry `level` = warning | major | critical.
 */
export const R = {
  // ── per minute (group mist_wan_minute, interval 1m) ─────────────────────────────────────────────
  /** 1 up, 0 down (port down, or its gateway disconnected from the cloud); absent = unknown. */
  circuitUp: 'site_circuit:mist_wan_up:bool1m',
  receiveBytes: 'site_circuit:mist_wan_receive_bytes:increase1m',
  transmitBytes: 'site_circuit:mist_wan_transmit_bytes:increase1m',
  /** max(receive/receive bandwidth, transmit/transmit bandwidth) over the trailing 5 minutes. */
  utilization5m: 'site_circuit:mist_wan_utilization:ratio5m',
  /** 0/1 per level: utilization5m at or above the level's threshold. */
  utilizationBreach: 'site_circuit:mist_wan_utilization_breach:bool5m',
  /** Seconds the current run of utilizationBreach = 1 has lasted (0 when below): the continuous mode. */
  utilizationRun: 'site_circuit:mist_wan_utilization_breach_run:seconds',
  flaps: 'site_circuit:mist_wan_flaps:increase1m',
  /** Failovers that left this circuit (labels + to_port_id). */
  failovers: 'site_circuit:mist_wan_failovers:increase1m',
  /** Mean over the circuit's up VPN paths (paths joined onto the circuit by port_id). */
  loss: 'site_circuit:mist_wan_loss:ratio1m',
  latency: 'site_circuit:mist_wan_latency:seconds1m',
  jitter: 'site_circuit:mist_wan_jitter:seconds1m',
  /** 0/1 per level for each quality metric. */
  lossBreach: 'site_circuit:mist_wan_loss_breach:bool1m',
  latencyBreach: 'site_circuit:mist_wan_latency_breach:bool1m',
  jitterBreach: 'site_circuit:mist_wan_jitter_breach:bool1m',
  /** 1 while the gateway runs on a circuit other than its primary, 0 on the primary; absent when none active. */
  onSecondary: 'site_gateway:mist_wan_on_secondary:bool1m',
  /** Quality of the active circuit while on secondary (absent otherwise). */
  secondaryLoss: 'site_gateway:mist_wan_secondary_loss:ratio1m',
  secondaryLatency: 'site_gateway:mist_wan_secondary_latency:seconds1m',
  secondaryJitter: 'site_gateway:mist_wan_secondary_jitter:seconds1m',
  /** 1 when every known circuit of the site is down or its gateway is disconnected. */
  siteDown: 'site:mist_wan_down:bool1m',
} as const;

export type RecordedName = (typeof R)[keyof typeof R];
