import type { SelfMetricDef } from '../types.js';

/**
 * Self-metrics: the collector's health and API budget (read from the store, written by the active collector)
 * and the exporter's own state. Rendered under the `exporter` family of /metrics?family=…. Process and Node.js
 * runtime metrics (process_*, nodejs_*) come from prom-client's defaults and are not listed here.
 */
const fam = ['org_id', 'family'] as const;
const fromMeta = 'From the collector\'s per-family metadata in the store.';

export const COLLECTOR_METRICS = {
  lastSuccess: { name: 'mist_collector_last_success_timestamp_seconds', type: 'gauge', unit: 'timestamp', labels: fam,
    help: `When the family was last collected successfully, Unix time. Alert on time() minus this. ${fromMeta}` },
  lastAttempt: { name: 'mist_collector_last_attempt_timestamp_seconds', type: 'gauge', unit: 'timestamp', labels: fam,
    help: `When the family's last collection attempt started, Unix time. ${fromMeta}` },
  duration: { name: 'mist_collector_last_duration_seconds', type: 'gauge', unit: 'seconds', labels: fam,
    help: `How long the family's last collection attempt took. ${fromMeta}` },
  success: { name: 'mist_collector_last_success', type: 'gauge', unit: 'boolean', labels: fam,
    help: `1 when the family's last collection attempt succeeded, 0 when it failed (the last good snapshot is kept). ${fromMeta}` },
  records: { name: 'mist_collector_records', type: 'gauge', unit: 'count', labels: fam,
    help: `Records stored by the family's last successful collection. ${fromMeta}` },
  dropped: { name: 'mist_collector_records_dropped', type: 'gauge', unit: 'count', labels: fam,
    help: `Records dropped by validation in the family's last successful collection. ${fromMeta}` },
  interval: { name: 'mist_collector_interval_seconds', type: 'gauge', unit: 'seconds', labels: fam,
    help: `The family's collection interval, after any stretching to fit the API budget. ${fromMeta}` },
  calls: { name: 'mist_collector_last_calls', type: 'gauge', unit: 'requests', labels: fam,
    help: `Successful Mist API calls of the family's last successful collection. ${fromMeta}` },
  uncountedGap: { name: 'mist_collector_uncounted_gap_seconds', type: 'gauge', unit: 'seconds', labels: fam,
    help: `Seconds of history the family's last successful collection could not count: after an outage longer than Mist serves back, the seconds between the last cursor and the start of the window Mist answered; 0 when everything was counted; absent when unknown (a first walk without saved state, or no window echoed). Only families that count events (alarms, events). Overwritten every cycle: alert on increase(mist_collector_uncounted_gap_seconds_total[1d]) > 0 instead. ${fromMeta}` },
  uncountedGapTotal: { name: 'mist_collector_uncounted_gap_seconds_total', type: 'counter', unit: 'seconds', labels: fam,
    help: 'Seconds of history the family could not count, summed over its collections (see mist_collector_uncounted_gap_seconds); a series exists once the family has counted from a saved cursor. Persisted in the store: monotonic across collector restarts, and a missed scrape loses nothing.' },
  recordsFiltered: { name: 'mist_collector_records_filtered', type: 'gauge', unit: 'count', labels: fam,
    help: `Mist rows and stored records of sites excluded by the site filter (SITE_INCLUDE, SITE_EXCLUDE) that the family's last successful collection left out: filtered, not invalid (not in mist_collector_records_dropped). Rows of every endpoint the family walks count (gateways: a gateway's inventory row and its stats row). Absent without a site filter. ${fromMeta}` },
  siteFilterSites: { name: 'mist_collector_site_filter_sites', type: 'gauge', unit: 'count', labels: ['org_id', 'decision'],
    help: `Sites of the org the site filter keeps (decision="included") and leaves out (decision="excluded"), as of the last collection of the org's site list (the sites family). Absent without a site filter. ${fromMeta}` },
  orgCollectors: { name: 'mist_collector_org_collectors', type: 'gauge', unit: 'count', labels: ['org_id', 'state'],
    help: 'Collectors whose shard (MIST_ORG_ID) includes the org, by state: active (holds the org\'s lock and collects it), standby (an HA twin of the active one: same orgs), conflict (its shard overlaps another collector\'s: it collects none of its orgs until MIST_ORG_ID is fixed), legacy (waits for a collector from before per-org locks to stop). Every state is present (0 included) for each org with data or a collector. Healthy: active 1, conflict 0. From the collectors\' status records in the store (reported every lock TTL/3 to TTL/2).' },
  snapshot: { name: 'mist_collector_snapshot_present', type: 'gauge', unit: 'boolean', labels: fam,
    help: '1 while the family has an unexpired snapshot in the store (data expires 3 intervals after the last success).' },
} as const satisfies Record<string, SelfMetricDef>;

export const API_METRICS = {
  requests: { name: 'mist_api_requests_total', type: 'counter', unit: 'requests', labels: ['endpoint'],
    help: 'Mist API requests made by the collector (every HTTP attempt, retries included), by endpoint. Persisted in the store: monotonic across collector restarts.' },
  failures: { name: 'mist_api_request_failures_total', type: 'counter', unit: 'requests', labels: ['endpoint', 'reason'],
    help: 'Failed Mist API requests by endpoint and reason (E_MIST_HTTP, E_MIST_TIMEOUT, E_MIST_RATE_LIMITED, ...). Persisted in the store.' },
  rateLimited: { name: 'mist_api_rate_limited_total', type: 'counter', unit: 'requests', labels: ['token_fingerprint'],
    help: 'HTTP 429 responses from Mist by token (SHA-256 fingerprint, never the token). Persisted in the store.' },
  budgetUsed: { name: 'mist_api_budget_used_requests', type: 'gauge', unit: 'requests', labels: ['token_fingerprint'],
    help: 'Mist API calls made with the token in the current clock hour (Mist allows 5,000 per token per hour), as last reported by the collector.' },
  budgetLimit: { name: 'mist_api_budget_limit_requests', type: 'gauge', unit: 'requests', labels: ['token_fingerprint'],
    help: 'Mist API calls allowed per token per hour, as last reported by the collector.' },
  cooldown: { name: 'mist_api_token_cooldown_until_timestamp_seconds', type: 'gauge', unit: 'timestamp', labels: ['token_fingerprint'],
    help: 'Until when the token is cooling down after a 429, Unix time (0: usable), as last reported by the collector.' },
  tokenCollectors: { name: 'mist_api_token_active_collectors', type: 'gauge', unit: 'count', labels: ['token_fingerprint'],
    help: 'Active collectors using the token (SHA-256 fingerprint, never the token). Above 1, collector shards share a token: each plans the whole budget share of it, so together they may exceed it. From the collectors\' status records in the store.' },
  usageReported: { name: 'mist_api_budget_reported_timestamp_seconds', type: 'gauge', unit: 'timestamp', labels: ['token_fingerprint'],
    help: 'When the collector last reported the token\'s budget use, Unix time.' },
} as const satisfies Record<string, SelfMetricDef>;

export const EXPORTER_METRICS = {
  build: { name: 'mist_exporter_build_info', type: 'gauge', unit: 'info', labels: ['version', 'nodejs_version'],
    help: 'Build information of the exporter, value 1.' },
  storeUp: { name: 'mist_store_up', type: 'gauge', unit: 'boolean', labels: [],
    help: '1 when the exporter\'s last read of the store succeeded.' },
  renderDuration: { name: 'mist_exporter_render_duration_seconds', type: 'gauge', unit: 'seconds', labels: ['family'],
    help: 'How long the exporter took to render the family\'s latest snapshot from the store into exposition text (done once per new snapshot, not per scrape).' },
  series: { name: 'mist_exporter_series', type: 'gauge', unit: 'count', labels: ['family'],
    help: 'Series the exporter serves for the family.' },
  invalid: { name: 'mist_exporter_records_invalid', type: 'gauge', unit: 'count', labels: ['family'],
    help: 'Stored records of the family that failed validation in the exporter and were not rendered.' },
  duplicate: { name: 'mist_exporter_records_duplicate', type: 'gauge', unit: 'count', labels: ['family'],
    help: 'Stored records of the family\'s current snapshot that repeated the series of an earlier record (pages overlapping while data moves, a resumed walk), found by the exporter when rendering: each record is rendered whole or not at all, the first of a series identity wins in all its metrics.' },
  refreshed: { name: 'mist_exporter_last_refresh_timestamp_seconds', type: 'gauge', unit: 'timestamp', labels: [],
    help: 'When the exporter last read the store successfully, Unix time.' },
} as const satisfies Record<string, SelfMetricDef>;
