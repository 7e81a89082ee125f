/**
 * Names of every recorded series: the contract docs/kpis.md documents and the dashboards (G) build on.
 * Form `level:metric:operations` (prometheus.io/docs/practices/rules). Levels of aggregation:
 * - `site_circuit`: one WAN circuit, labels {org_id, site_id, mac, port_id};
 * - `site_gateway`: one gateway, labels {org_id, site_id, mac};
 * - `site`: one site, labels {org_id, site_id};
 * - `region`: labels {org_id, region} (the region label of mist_site_info; "unknown" for sites without one);
 * - `org_family`: one collector family of an org, labels {org_id, family}.
 * Grains in the operations suffix: `1m` per minute (recorded every minute), `5m` a trailing 5-minute value,
 * `1h` a trailing hour recorded every minute (read it at clock hours for the hour grain), `1d` the last whole UTC
 * day recorded once a day (in the first hour after 00:00 UTC).
 * Thresholded series carry `level` = warning | major | critical; chronic-offender series carry `kpi`.
 * Time above a threshold and run lengths are in seconds of the data (60 per per-minute sample at every time
 * scale); up/known "minutes" count per-minute samples.
 */
export const R = {
  // ── per minute (group mist_wan_minute, interval 1m) ─────────────────────────────────────────────
  /**
   * 1 when the family's snapshot the rules read (one grain back) is at most fresh_intervals collection intervals
   * old, 0 older; absent without self-metrics. Gates the per-minute series: stale data is unknown.
   */
  fresh: 'org_family:mist_collector_fresh:bool1m',  /** 1 up, 0 down (port down, or its gateway disconnected from the cloud); absent = unknown; disabled ports absent. */
  circuitUp: 'site_circuit:mist_wan_up:bool1m',
  receiveBytes: 'site_circuit:mist_wan_receive_bytes:increase1m',
  transmitBytes: 'site_circuit:mist_wan_transmit_bytes:increase1m',
  /**
   * Data seconds the byte deltas of the minute cover (the wan-ports snapshot's advance; 0 while it stands still),
   * absent when the bytes are unknown. Utilization = Σ bytes / (bandwidth × Σ these).
   */
  bytesSeconds: 'site_circuit:mist_wan_bytes_covered:seconds1m',
  /** max(receive/receive bandwidth, transmit/transmit bandwidth) over the trailing 5 minutes. */
  utilization5m: 'site_circuit:mist_wan_utilization:ratio5m',
  /** 0/1 per level: utilization5m at or above the level's threshold. */
  utilizationBreach: 'site_circuit:mist_wan_utilization_breach:bool5m',
  /** Seconds the current run of utilizationBreach = 1 has lasted (0 when below): the continuous mode. */
  utilizationRun: 'site_circuit:mist_wan_utilization_breach_run:seconds',
  /** utilizationRun clipped to the current UTC clock hour (restarts at every hour). */
  utilizationRunHour: 'site_circuit:mist_wan_utilization_breach_run:seconds_in_hour',
  /** utilizationRun clipped to the current UTC day (restarts at 00:00 UTC). */
  utilizationRunDay: 'site_circuit:mist_wan_utilization_breach_run:seconds_in_day',
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

  // ── trailing hour, recorded every minute (group mist_wan_hour, interval 1m) ─────────────────────
  /** Minutes the circuit was up (0–60). */
  upMinutes1h: 'site_circuit:mist_wan_up_minutes:sum1h',
  /** Minutes the circuit was known, up or down (0–60); down minutes = known − up; unknown = 60 − known. */
  knownMinutes1h: 'site_circuit:mist_wan_known_minutes:count1h',
  /** up minutes / known minutes. */
  availability1h: 'site_circuit:mist_wan_availability:ratio1h',
  /** max over directions of bytes in the hour / (bandwidth × known seconds). */
  utilization1h: 'site_circuit:mist_wan_utilization:ratio1h',
  /** Seconds utilizationBreach was 1 (cumulative time above), per level. */
  utilizationBreachSeconds1h: 'site_circuit:mist_wan_utilization_breach:seconds1h',
  /** Longest run above the level within the clock hour (clipped to it), per level. */
  utilizationLongestRun1h: 'site_circuit:mist_wan_utilization_breach_run:max_seconds1h',
  lossBreachSeconds1h: 'site_circuit:mist_wan_loss_breach:seconds1h',
  latencyBreachSeconds1h: 'site_circuit:mist_wan_latency_breach:seconds1h',
  jitterBreachSeconds1h: 'site_circuit:mist_wan_jitter_breach:seconds1h',
  flaps1h: 'site_circuit:mist_wan_flaps:sum1h',
  /** Failovers that left the circuit (summed over to_port_id). */
  failovers1h: 'site_circuit:mist_wan_failovers:sum1h',
  onSecondarySeconds1h: 'site_gateway:mist_wan_on_secondary:seconds1h',
  lossAvg1h: 'site_circuit:mist_wan_loss:ratio_avg1h',
  lossMax1h: 'site_circuit:mist_wan_loss:ratio_max1h',
  lossP95_1h: 'site_circuit:mist_wan_loss:ratio_p95_1h',
  latencyAvg1h: 'site_circuit:mist_wan_latency:seconds_avg1h',
  latencyMax1h: 'site_circuit:mist_wan_latency:seconds_max1h',
  latencyP95_1h: 'site_circuit:mist_wan_latency:seconds_p95_1h',
  jitterAvg1h: 'site_circuit:mist_wan_jitter:seconds_avg1h',
  jitterMax1h: 'site_circuit:mist_wan_jitter:seconds_max1h',
  jitterP95_1h: 'site_circuit:mist_wan_jitter:seconds_p95_1h',
  /**
   * Per-minute quality samples in the hour (0–60; absent when none): the weight of the hour's mean in the day's
   * (a day average is Σ avg1h × count1h / Σ count1h, never a mean of hourly means).
   */
  lossCount1h: 'site_circuit:mist_wan_loss:count1h',
  latencyCount1h: 'site_circuit:mist_wan_latency:count1h',
  jitterCount1h: 'site_circuit:mist_wan_jitter:count1h',
  secondaryLossAvg1h: 'site_gateway:mist_wan_secondary_loss:ratio_avg1h',
  secondaryLatencyAvg1h: 'site_gateway:mist_wan_secondary_latency:seconds_avg1h',
  secondaryJitterAvg1h: 'site_gateway:mist_wan_secondary_jitter:seconds_avg1h',
  /** Minutes on the secondary with a quality sample in the hour: the weight of secondary…Avg1h in the day. */
  secondaryLossCount1h: 'site_gateway:mist_wan_secondary_loss:count1h',
  secondaryLatencyCount1h: 'site_gateway:mist_wan_secondary_latency:count1h',
  secondaryJitterCount1h: 'site_gateway:mist_wan_secondary_jitter:count1h',

  // ── last whole UTC day, recorded once a day (group mist_wan_day, interval 1h) ───────────────────
  upMinutes1d: 'site_circuit:mist_wan_up_minutes:sum1d',
  knownMinutes1d: 'site_circuit:mist_wan_known_minutes:count1d',
  availability1d: 'site_circuit:mist_wan_availability:ratio1d',
  /** Mean of the day's hourly utilization ratios. */
  utilizationAvg1d: 'site_circuit:mist_wan_utilization:ratio_avg1d',
  /** The busiest hour's utilization ratio. */
  utilizationMax1d: 'site_circuit:mist_wan_utilization:ratio_max1d',
  utilizationBreachSeconds1d: 'site_circuit:mist_wan_utilization_breach:seconds1d',
  /** Longest run above the level within the day (clipped to the day), per level. */
  utilizationLongestRun1d: 'site_circuit:mist_wan_utilization_breach_run:max_seconds1d',
  lossBreachSeconds1d: 'site_circuit:mist_wan_loss_breach:seconds1d',
  latencyBreachSeconds1d: 'site_circuit:mist_wan_latency_breach:seconds1d',
  jitterBreachSeconds1d: 'site_circuit:mist_wan_jitter_breach:seconds1d',
  flaps1d: 'site_circuit:mist_wan_flaps:sum1d',
  failovers1d: 'site_circuit:mist_wan_failovers:sum1d',
  onSecondarySeconds1d: 'site_gateway:mist_wan_on_secondary:seconds1d',
  /** Mean over the day's per-minute samples (hourly means weighted by their counts), likewise latency and jitter. */
  lossAvg1d: 'site_circuit:mist_wan_loss:ratio_avg1d',
  lossMax1d: 'site_circuit:mist_wan_loss:ratio_max1d',
  latencyAvg1d: 'site_circuit:mist_wan_latency:seconds_avg1d',
  latencyMax1d: 'site_circuit:mist_wan_latency:seconds_max1d',
  jitterAvg1d: 'site_circuit:mist_wan_jitter:seconds_avg1d',
  jitterMax1d: 'site_circuit:mist_wan_jitter:seconds_max1d',
  /** Mean over the day's minutes on the secondary (hourly means weighted by their counts). */
  secondaryLossAvg1d: 'site_gateway:mist_wan_secondary_loss:ratio_avg1d',
  secondaryLatencyAvg1d: 'site_gateway:mist_wan_secondary_latency:seconds_avg1d',
  secondaryJitterAvg1d: 'site_gateway:mist_wan_secondary_jitter:seconds_avg1d',
  /** 1 when the day breached the chronic level for the KPI (label kpi), else 0. */
  breachDay: 'site_circuit:mist_wan_breach_day:bool1d',
  /** Breach days among the last chronic.of_days days (label kpi). */
  breachDays: 'site_circuit:mist_wan_breach_days:count1d',
  /** 1 when breachDays ≥ chronic.days (label kpi), else 0. */
  chronicOffender: 'site_circuit:mist_wan_chronic_offender:bool1d',
  siteBreachDay: 'site:mist_wan_breach_day:bool1d',
  siteBreachDays: 'site:mist_wan_breach_days:count1d',
  siteChronicOffender: 'site:mist_wan_chronic_offender:bool1d',

  // ── region rollups (file mist-wan-region.yml) ───────────────────────────────────────────────────
  regionCircuitsUp: 'region:mist_wan_circuits_up:count1m',
  regionCircuitsDown: 'region:mist_wan_circuits_down:count1m',
  /** Known circuits (mist_wan_port_info, not disabled) with no up/down sample. */
  regionCircuitsUnknown: 'region:mist_wan_circuits_unknown:count1m',
  regionSitesDown: 'region:mist_wan_sites_down:count1m',
  regionOnSecondary: 'region:mist_wan_gateways_on_secondary:count1m',
  /** Circuits whose utilizationBreach is 1, per level. */
  regionCongested: 'region:mist_wan_circuits_congested:count1m',
  regionUtilizationP95: 'region:mist_wan_utilization:ratio_p95_5m',
  regionAvailability1h: 'region:mist_wan_availability:ratio1h',
  regionLossAvg1h: 'region:mist_wan_loss:ratio_avg1h',
  regionLatencyAvg1h: 'region:mist_wan_latency:seconds_avg1h',
  regionJitterAvg1h: 'region:mist_wan_jitter:seconds_avg1h',
  regionAvailability1d: 'region:mist_wan_availability:ratio1d',
  regionUtilizationBreachSeconds1d: 'region:mist_wan_utilization_breach:seconds1d',
  regionFlaps1d: 'region:mist_wan_flaps:sum1d',
  regionFailovers1d: 'region:mist_wan_failovers:sum1d',
  regionOnSecondarySeconds1d: 'region:mist_wan_on_secondary:seconds1d',
  regionLossAvg1d: 'region:mist_wan_loss:ratio_avg1d',
  regionLatencyAvg1d: 'region:mist_wan_latency:seconds_avg1d',
  regionJitterAvg1d: 'region:mist_wan_jitter:seconds_avg1d',
  /** Chronic offender circuits (label kpi). */
  regionChronicOffenders: 'region:mist_wan_chronic_offenders:count1d',

  // ── thresholds from prometheus/kpi-config.yml, for dashboards (labels level, region; region "" = default) ──
  utilizationThreshold: 'mist_kpi:utilization_threshold:ratio',
  lossThreshold: 'mist_kpi:loss_threshold:ratio',
  latencyThreshold: 'mist_kpi:latency_threshold:seconds',
  jitterThreshold: 'mist_kpi:jitter_threshold:seconds',
} as const;

export type RecordedName = (typeof R)[keyof typeof R];

/** The rule groups, as Prometheus names them (rule_group_* metrics, the benchmark). */
export const GROUPS = {
  minute: 'mist_wan_minute',
  hour: 'mist_wan_hour',
  day: 'mist_wan_day',
  regionMinute: 'mist_wan_region_minute',
  regionDay: 'mist_wan_region_day',
  thresholds: 'mist_wan_thresholds',
} as const;

/** Values of the `kpi` label of the chronic-offender series. */
export const CHRONIC_KPIS = ['utilization', 'loss', 'latency', 'jitter', 'availability'] as const;
export type ChronicKpi = (typeof CHRONIC_KPIS)[number];
