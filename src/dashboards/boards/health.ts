import {
  anyIsBad, dashboard, jobVariable, q, stat, stateTimeline, table, timeseries, UID,
} from '../build.js';
import type { DashCtx } from '../context.js';
import type { Dashboard, FieldOverride, ThresholdStep, ValueMapping } from '../grafana.js';
import { anyReplica, colouredColumn, columnTitles, hiddenColumns, JOB, mergeTables, metric, organize, withOrg } from '../queries.js';
import { ageSteps, snapshotAgeIntervalsExpr, snapshotAgeStat, staleFamiliesStat } from './freshness.js';

/**
 * Exporter and collector health: is the data the other dashboards show fresh, and is the pipeline (Mist API →
 * collector → store → exporter → Prometheus) healthy? Reads the raw self-metrics (family `exporter`,
 * docs/metrics.md) of the selected jobs, read across replicas where they describe the collector (the same value
 * from every replica) and per target where they describe the exporter itself, plus Prometheus's own scrape
 * series. The pipeline alerts (docs/alerting.md) fire on the same metrics.
 */

/** Prometheus's own series about each scrape (not in the metric catalogue). */
const UP = 'up';
const SCRAPE_SAMPLES = 'scrape_samples_scraped';
const SCRAPE_DURATION = 'scrape_duration_seconds';

const TARGET = '{{job}} {{instance}}';

const okFailed: ValueMapping[] = [{ type: 'value', options: { 1: { text: 'ok', color: 'green', index: 0 }, 0: { text: 'failed', color: 'red', index: 1 } } }];
const upDown: ValueMapping[] = [{ type: 'value', options: { 1: { text: 'up', color: 'green', index: 0 }, 0: { text: 'down', color: 'red', index: 1 } } }];
const greenWhenOne: ThresholdStep[] = [{ color: 'red', value: null }, { color: 'green', value: 1 }];

const columnProps = (field: string, props: { id: string; value: unknown }[]): FieldOverride => ({ matcher: { id: 'byName', options: field }, properties: props });

/** One value per org and family of a collector self-metric (the same from every replica). */
const perFamily = (name: string): string => anyReplica(name, JOB);

function freshness(ctx: DashCtx) {
  const age = `time() - ${perFamily('mist_collector_last_success_timestamp_seconds')}`;
  const columns = [
    { expr: age, title: 'Age', unit: 's' },
    { expr: perFamily('mist_collector_interval_seconds'), title: 'Interval', unit: 's' },
    { expr: `(${age}) / on (org_id, family) ${perFamily('mist_collector_interval_seconds')}`, title: 'Age (intervals)', unit: 'none' },
    { expr: perFamily('mist_collector_last_success'), title: 'Last attempt', unit: 'none' },
    { expr: `time() - ${perFamily('mist_collector_last_attempt_timestamp_seconds')}`, title: 'Last attempt (ago)', unit: 's' },
    { expr: perFamily('mist_collector_last_duration_seconds'), title: 'Duration', unit: 's' },
    { expr: perFamily('mist_collector_records'), title: 'Records', unit: 'none' },
    { expr: perFamily('mist_collector_records_dropped'), title: 'Dropped', unit: 'none' },
    { expr: perFamily('mist_collector_last_calls'), title: 'API calls', unit: 'none' },
    { expr: perFamily('mist_collector_snapshot_present'), title: 'Snapshot', unit: 'none' },
  ];
  const ref = (i: number) => `Value #${String.fromCharCode(65 + i)}`;
  const refOf = (title: string) => ref(columns.findIndex((c) => c.title === title));
  return [
    staleFamiliesStat(6, 5),
    snapshotAgeStat(ctx, 18, 5, JOB),
    table({
      title: 'Freshness per family',
      description: 'Per org and family: how old its snapshot is (time() − last success) against its collection interval (after any stretching to fit the API budget), whether the last attempt succeeded and how long ago it started, how long it took, the records it stored and dropped by validation, its Mist API calls, and whether an unexpired snapshot is in the store (data expires 3 intervals after the last success). Sorted oldest first.',
      unit: 'none',
      queries: columns.map((c) => q(withOrg(c.expr))),
      overrides: [
        ...columnTitles({ family: 'Family', org_name: 'Org', ...Object.fromEntries(columns.map((c, i) => [ref(i), c.title])) }),
        ...columns.map((c, i) => columnProps(ref(i), [{ id: 'unit', value: c.unit }])),
        colouredColumn(refOf('Age (intervals)'), 'none', ageSteps(ctx)),
        columnProps(refOf('Age (intervals)'), [{ id: 'decimals', value: 1 }]),
        columnProps(refOf('Last attempt'), [{ id: 'mappings', value: okFailed }, { id: 'custom.cellOptions', value: { type: 'color-text' } }]),
        columnProps(refOf('Snapshot'), [{ id: 'mappings', value: [{ type: 'value', options: { 1: { text: 'present', color: 'green', index: 0 }, 0: { text: 'expired', color: 'red', index: 1 } } }] }, { id: 'custom.cellOptions', value: { type: 'color-text' } }]),
        colouredColumn(refOf('Dropped'), 'none', anyIsBad('orange')),
        ...hiddenColumns('org_id'),
      ],
      transformations: [mergeTables(), organize([], {}, ['family', 'org_name', ...columns.map((_, i) => ref(i))])],
      options: { sortBy: [{ displayName: 'Age (intervals)', desc: true }] },
    }, 24, 9),
    timeseries({
      title: 'Snapshot age per family over time (collection intervals)',
      description: `The age of each family's snapshot in its collection intervals over time: a healthy family saw-tooths between 0 and about 1.5. From ${ctx.kpi.fresh_intervals} (orange line) the rules count its data as unknown, from ${ctx.kpi.alerts.stale_intervals} (red line) MistDataStale fires and the snapshot expires.`,
      unit: 'none', decimals: 1, thresholds: ageSteps(ctx),
      custom: { thresholdsStyle: { mode: 'line' } },
      colorMode: 'palette-classic',
      queries: [q(snapshotAgeIntervalsExpr(JOB), { legend: '{{family}}' })],
    }, 12, 8),
    stateTimeline({
      title: 'Last collection attempt per family',
      description: 'Whether each family\'s last collection attempt succeeded (mist_collector_last_success; worst over orgs), over time. A failed attempt keeps the last good snapshot until it expires; MistCollectorFailing fires after the configured time.',
      unit: 'none', mappings: okFailed, thresholds: greenWhenOne,
      queries: [q(`min by (family) (${perFamily('mist_collector_last_success')})`, { legend: '{{family}}' })],
    }, 12, 8),
    timeseries({
      title: 'Collection duration per family',
      description: 'How long each family\'s last collection attempt took (mist_collector_last_duration_seconds; longest over orgs). A duration near the interval means the collector cannot keep up.',
      unit: 's', queries: [q(`max by (family) (${perFamily('mist_collector_last_duration_seconds')})`, { legend: '{{family}}' })],
    }, 12, 8),
    timeseries({
      title: 'Records per family',
      description: 'Records each family\'s last successful collection stored (mist_collector_records, summed over orgs) and dropped by validation (mist_collector_records_dropped: a Mist field the collector could not read; should be 0).',
      unit: 'short',
      queries: [
        q(`sum by (family) (${perFamily('mist_collector_records')})`, { legend: '{{family}}' }),
        q(`sum by (family) (${perFamily('mist_collector_records_dropped')})`, { legend: '{{family}} dropped' }),
      ],
    }, 12, 8),
  ];
}

function mistApi(ctx: DashCtx) {
  const byToken = (name: string) => `max by (token_fingerprint) (${anyReplica(name, JOB)})`;
  const budgetRatio = `${byToken('mist_api_budget_used_requests')} / ${byToken('mist_api_budget_limit_requests')}`;
  const budgetSteps: ThresholdStep[] = [{ color: 'green', value: null }, { color: 'orange', value: ctx.kpi.alerts.budget_used_ratio }, { color: 'red', value: 1 }];
  const perReplicaRate = (name: string) => `max without (instance, job) (rate(${metric(name)}{${JOB}}[$__rate_interval]))`;
  return [
    stat({
      title: 'API budget used this hour per token',
      description: `Mist API calls made with each token in the current clock hour against its hourly limit (mist_api_budget_used_requests / mist_api_budget_limit_requests; Mist allows 5,000 per token per hour). Orange from ${Math.round(ctx.kpi.alerts.budget_used_ratio * 100)} %, where MistApiBudgetNearExhaustion fires. Tokens are shown by fingerprint, never the token.`,
      unit: 'percentunit', decimals: 1, min: 0, max: 1, thresholds: budgetSteps,
      queries: [q(budgetRatio, { legend: '{{token_fingerprint}}' })],
      options: { textMode: 'value_and_name' },
    }, 8, 6),
    timeseries({
      title: 'API budget per token',
      description: 'Calls used this clock hour (mist_api_budget_used_requests, resets every hour) and the hourly limit (mist_api_budget_limit_requests) per token, over time.',
      unit: 'short',
      queries: [
        q(byToken('mist_api_budget_used_requests'), { legend: '{{token_fingerprint}} used' }),
        q(byToken('mist_api_budget_limit_requests'), { legend: '{{token_fingerprint}} limit' }),
      ],
    }, 8, 6),
    stat({
      title: 'Token cooldown remaining',
      description: 'How long each token still cools down after an HTTP 429 (mist_api_token_cooldown_until_timestamp_seconds − now); 0 = usable.',
      unit: 's', thresholds: anyIsBad('orange'),
      queries: [q(`clamp_min(${byToken('mist_api_token_cooldown_until_timestamp_seconds')} - time(), 0)`, { legend: '{{token_fingerprint}}' })],
      options: { textMode: 'value_and_name' },
    }, 8, 6),
    timeseries({
      title: 'HTTP 429 per token',
      description: 'Rate-limited (HTTP 429) answers from Mist per token (mist_api_rate_limited_total), per second; 0 for a token that never got one. MistApiRateLimited fires when they persist.',
      unit: 'reqps', thresholds: anyIsBad(), colorMode: 'palette-classic',
      queries: [q(`max by (token_fingerprint) (${perReplicaRate('mist_api_rate_limited_total')})
        or ${byToken('mist_api_budget_limit_requests')} * 0`, { legend: '{{token_fingerprint}}' })],
    }, 8, 8),
    timeseries({
      title: 'Mist API requests per endpoint',
      description: 'Mist API requests per second by endpoint (mist_api_requests_total: every HTTP attempt, retries included).',
      unit: 'reqps', queries: [q(`sum by (endpoint) (${perReplicaRate('mist_api_requests_total')})`, { legend: '{{endpoint}}' })],
    }, 8, 8),
    timeseries({
      title: 'Mist API request failures by reason',
      description: 'Failed Mist API requests per second by reason (mist_api_request_failures_total: E_MIST_HTTP, E_MIST_TIMEOUT, E_MIST_RATE_LIMITED, …); the line "none" at 0 while no request has failed.',
      unit: 'reqps',
      queries: [q(`sum by (reason) (${perReplicaRate('mist_api_request_failures_total')})
        or on () label_replace(vector(0), "reason", "none", "", "")`, { legend: '{{reason}}' })],
    }, 8, 8),
    timeseries({
      title: 'Mist API calls per collection',
      description: 'Successful Mist API calls each family\'s last successful collection made (mist_collector_last_calls, summed over orgs): what each family costs of the hourly budget per cycle.',
      unit: 'short',
      queries: [q(`sum by (family) (${anyReplica('mist_collector_last_calls', JOB)})`, { legend: '{{family}}' })],
    }, 12, 8),
    timeseries({
      title: 'SLE details: budget and degraded pairs',
      description: 'The SLE details family polls only degraded (site, SLE) pairs, within the budget the other families leave: the calls its last cycle was allowed (mist_sle_details_budget_requests) and made (mist_sle_details_used_requests), and the degraded pairs by state (mist_sle_details_pairs: polled, carried = earlier details kept, missing = none). Carried or missing pairs mean the budget is short.',
      unit: 'short',
      queries: [
        q(`sum(${anyReplica('mist_sle_details_budget_requests', JOB)})`, { legend: 'calls allowed' }),
        q(`sum(${anyReplica('mist_sle_details_used_requests', JOB)})`, { legend: 'calls made' }),
        q(`sum by (state) (${anyReplica('mist_sle_details_pairs', JOB)})`, { legend: 'pairs {{state}}' }),
      ],
    }, 12, 8),
  ];
}

function exporter() {
  const target = (name: string) => `${name}{${JOB}}`;
  return [
    stat({
      title: 'Exporter targets up',
      description: 'Whether Prometheus scraped each exporter target of the selected jobs at its last scrape (up). MistExporterTargetDown and MistExporterDown fire on it.',
      unit: 'none', mappings: upDown, thresholds: greenWhenOne,
      queries: [q(target(UP), { legend: TARGET })],
      options: { textMode: 'value_and_name' },
    }, 8, 4),
    stat({
      title: 'Exporters without their store',
      description: 'Exporter replicas whose last read of the store failed (mist_store_up 0): they serve their last snapshot until it expires. MistStoreDown pages.',
      unit: 'none', thresholds: anyIsBad(),
      queries: [q(`count(${metric('mist_store_up')}{${JOB}} == 0) or vector(0)`)],
    }, 4, 4),
    stat({
      title: 'Last store read (ago)',
      description: 'How long ago each exporter last read the store successfully (time() − mist_exporter_last_refresh_timestamp_seconds).',
      unit: 's', decimals: 0,
      queries: [q(`time() - ${target(metric('mist_exporter_last_refresh_timestamp_seconds'))}`, { legend: TARGET })],
      options: { textMode: 'value_and_name' },
    }, 6, 4),
    table({
      title: 'Exporter build',
      description: 'The version and Node.js version each exporter target runs (mist_exporter_build_info).',
      unit: 'none',
      queries: [q(target(metric('mist_exporter_build_info')))],
      overrides: columnTitles({ job: 'Job', instance: 'Target', version: 'Version', nodejs_version: 'Node.js' }),
      transformations: [organize(['Value'], {}, ['job', 'instance', 'version', 'nodejs_version'])],
    }, 6, 4),
    stateTimeline({
      title: 'Store up per exporter',
      description: 'Whether each exporter\'s last read of the store (Redis) succeeded (mist_store_up), over time.',
      unit: 'none', mappings: upDown, thresholds: greenWhenOne,
      queries: [q(target(metric('mist_store_up')), { legend: TARGET })],
    }, 12, 6),
    stateTimeline({
      title: 'Targets up over time',
      description: 'Whether Prometheus scraped each exporter target (up), over time.',
      unit: 'none', mappings: upDown, thresholds: greenWhenOne,
      queries: [q(target(UP), { legend: TARGET })],
    }, 12, 6),
    timeseries({
      title: 'Scrape size',
      description: 'Samples Prometheus took from each target per scrape (scrape_samples_scraped), and the series each exporter serves per family (mist_exporter_series). A big org serves hundreds of thousands: shard with ?family= jobs (docs/metrics.md).',
      unit: 'short',
      queries: [
        q(target(SCRAPE_SAMPLES), { legend: `${TARGET} samples` }),
        q(`max by (family) (${anyReplica('mist_exporter_series', JOB)})`, { legend: '{{family}} series' }),
      ],
    }, 12, 8),
    timeseries({
      title: 'Scrape duration and render time',
      description: 'How long each scrape took (scrape_duration_seconds; it must stay below scrape_timeout) and how long the exporter took to render each family\'s latest snapshot into exposition text (mist_exporter_render_duration_seconds: once per new snapshot, not per scrape; slowest replica).',
      unit: 's',
      queries: [
        q(target(SCRAPE_DURATION), { legend: `${TARGET} scrape` }),
        q(`max by (family) (${anyReplica('mist_exporter_render_duration_seconds', JOB)})`, { legend: '{{family}} render' }),
      ],
    }, 12, 8),
    timeseries({
      title: 'Records the exporter did not render',
      description: 'Stored records each family\'s snapshot held that the exporter skipped: failed validation (mist_exporter_records_invalid, e.g. records of an older version until the next cycle) or repeated an earlier record\'s series (mist_exporter_records_duplicate: overlapping pages). Both should be 0.',
      unit: 'short',
      queries: [
        q(`max by (family) (${anyReplica('mist_exporter_records_invalid', JOB)})`, { legend: '{{family}} invalid' }),
        q(`max by (family) (${anyReplica('mist_exporter_records_duplicate', JOB)})`, { legend: '{{family}} duplicate' }),
      ],
    }, 12, 8),
    timeseries({
      title: 'History the collector could not count',
      description: 'Seconds of Mist history the families that count events and alarms could not count (mist_collector_uncounted_gap_seconds_total: after an outage longer than Mist serves back, the events of the gap are lost to the flap and alarm counts); 0 while everything is counted.',
      unit: 's',
      queries: [q(`sum by (family) (max without (instance, job) (increase(${metric('mist_collector_uncounted_gap_seconds_total')}{${JOB}}[$__rate_interval])))
        or on () label_replace(vector(0), "family", "none", "", "")`, { legend: '{{family}}' })],
    }, 12, 8),
  ];
}

/** Exporter and collector health: is the data the other dashboards show fresh, and is the pipeline healthy? */
export function healthDashboard(ctx: DashCtx): Dashboard {
  return dashboard({
    uid: UID.health,
    title: 'Mist WAN / Exporter and collector health',
    description: 'Freshness per family, Mist API budget and 429s per token, request failures, collection durations, scrape size and render time, store and targets up.',
    questions: [
      'Is every family fresh, and if not, since when and why (failing attempts, slow collections)?',
      'How much of each token\'s hourly Mist API budget is used, and is Mist answering 429?',
      'Which Mist API requests fail, and for what reason?',
      'Are the exporters scraped and reading their store, and how big and slow are their scrapes and renders?',
    ],
    variables: [jobVariable()],
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    tags: ['health'],
    sections: [
      { row: 'Freshness and collection', panels: freshness(ctx) },
      { row: 'Mist API', panels: mistApi(ctx) },
      { row: 'Exporter and scrapes', panels: exporter() },
    ],
  });
}
