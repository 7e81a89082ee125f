import { metric, quote } from '../promql.js';
import type { AlertingRule } from '../types.js';
import { alertRule, anyReplica, PROMETHEUS_UP, type AlertContext } from './common.js';

/**
 * The data pipeline (Mist API → collector → store → exporter → Prometheus), from the raw self-metrics
 * (docs/metrics.md, family `exporter`) and Prometheus's `up`. When it breaks, the outage alerts go quiet
 * (unknown is never down): these say so instead.
 */

/** Mist's budget window: a clock hour of Mist's, not a rule duration (never scaled). */
const MIST_BUDGET_HOUR = 3600;

/**
 * Four rules of one name. Stale data of the families outages are computed from pages, the rest warns. And a family
 * the collector attempts but has never collected (no success in the store: a first deployment, an emptied store or
 * a new family while Mist fails) is as unknown as an expired one: the first form cannot see it (such a family has
 * no last-success timestamp and no interval), so the second does, with the same severities and the label
 * `collected="never"` (the summary says so too; promtool refuses two rules of one name and the same labels).
 */
export function dataStale(ctx: AlertContext): AlertingRule[] {
  const a = ctx.config.alerts;
  const critical = a.stale_critical_families.join('|');
  const stale = (matcher: string, severity: 'critical' | 'warning'): AlertingRule => alertRule(ctx, {
    alert: 'MistDataStale',
    expr: `(time() - ${anyReplica('mist_collector_last_success_timestamp_seconds', matcher)})
      > on (org_id, family) ${a.stale_intervals} * ${anyReplica('mist_collector_interval_seconds')}`,
    forSeconds: a.stale_for,
    severity,
    summary: 'The exporter serves old data for a family: its last successful collection is too long ago.',
    description: `The {{ $labels.family }} data of org {{ $labels.org_id }} was last collected successfully {{ $value | humanizeDuration }} ago, more than ${a.stale_intervals} collection intervals. Its data expires (becomes unknown: outage alerts cannot fire on it) ${a.stale_intervals} intervals after the last success.`,
  });
  const never = (matcher: string, severity: 'critical' | 'warning'): AlertingRule => alertRule(ctx, {
    alert: 'MistDataStale',
    expr: `${anyReplica('mist_collector_last_success', matcher)} == 0
      unless on (org_id, family) ${anyReplica('mist_collector_last_success_timestamp_seconds')}`,
    forSeconds: a.stale_for,
    severity,
    labels: { collected: 'never' },
    summary: 'The collector has never collected a family successfully: the exporter has no data for it.',
    description: `The {{ $labels.family }} data of org {{ $labels.org_id }} has never been collected successfully: every attempt has failed for at least ${ctx.d(a.stale_for)}. Its data is unknown (outage alerts cannot fire on it).`,
  });
  const [isCritical, notCritical] = [`family=~${quote(critical)}`, `family!~${quote(critical)}`];
  return [stale(isCritical, 'critical'), stale(notCritical, 'warning'), never(isCritical, 'critical'), never(notCritical, 'warning')];
}

export function collectorFailing(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  return alertRule(ctx, {
    alert: 'MistCollectorFailing',
    expr: `${anyReplica('mist_collector_last_success')} == 0`,
    forSeconds: a.collector_failing_for,
    severity: 'warning',
    summary: 'The collector\'s attempts to collect a family keep failing.',
    description: `The last collection of {{ $labels.family }} for org {{ $labels.org_id }} failed and no attempt has succeeded for at least ${ctx.d(a.collector_failing_for)}; the last good snapshot is served until it expires.`,
  });
}

export function apiBudgetNearExhaustion(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  // A report from an earlier clock hour says nothing of this hour's use (the count restarts every hour).
  return alertRule(ctx, {
    alert: 'MistApiBudgetNearExhaustion',
    expr: `(${anyReplica('mist_api_budget_used_requests')} / ${anyReplica('mist_api_budget_limit_requests')} >= ${a.budget_used_ratio})
      and on (token_fingerprint) (${anyReplica('mist_api_budget_reported_timestamp_seconds')} >= time() - time() % ${MIST_BUDGET_HOUR})`,
    forSeconds: a.budget_for,
    severity: 'warning',
    summary: 'A Mist API token has nearly used its hourly call budget.',
    description: `Token {{ $labels.token_fingerprint }} has used {{ $value | humanizePercentage }} of its Mist API calls for this clock hour (alert at ${Number((a.budget_used_ratio * 100).toFixed(4))} %); when it runs out, collections wait for the next hour.`,
  });
}

export function apiRateLimited(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  const window = ctx.d(a.rate_limited_for);
  // increase() is right here: the question is "any 429 in the window", and it handles counter resets.
  return alertRule(ctx, {
    alert: 'MistApiRateLimited',
    expr: `max without (instance, job) (increase(${metric('mist_api_rate_limited_total')}[${window}])) > 0`,
    forSeconds: a.rate_limited_for,
    severity: 'warning',
    summary: 'Mist keeps answering the collector with HTTP 429 (rate limited).',
    description: `Mist has answered token {{ $labels.token_fingerprint }} with HTTP 429 in every ${window} window for at least ${window} (about {{ $value | humanize }} in the last ${window}).`,
  });
}

export function storeDown(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  // Per exporter instance on purpose: a replica that cannot read the store is the fault.
  return alertRule(ctx, {
    alert: 'MistStoreDown',
    expr: `${metric('mist_store_up')} == 0`,
    forSeconds: a.store_down_for,
    severity: 'critical',
    summary: 'An exporter cannot read its store (Redis).',
    description: `Exporter {{ $labels.instance }} (job {{ $labels.job }}) has failed to read the store for at least ${ctx.d(a.store_down_for)}; it serves its last rendered data until that expires.`,
  });
}

/**
 * A collector whose shard (MIST_ORG_ID) overlaps another collector's takes none of its orgs' locks and collects
 * nothing (docs/collector.md, sharding): orgs only it was meant to collect go stale. MistDataStale says that the
 * data is old; this says why, per org, from the collectors' status records the exporters render.
 */
export function shardConflict(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  return alertRule(ctx, {
    alert: 'MistCollectorShardConflict',
    expr: `${anyReplica('mist_collector_org_collectors', 'state="conflict"')} > 0`,
    forSeconds: a.shard_conflict_for,
    severity: 'warning',
    summary: 'A collector\'s orgs (MIST_ORG_ID) overlap another collector\'s: it collects none of them.',
    description: `{{ $value }} collector(s) whose MIST_ORG_ID includes org {{ $labels.org_id }} overlap another collector's orgs and have collected nothing for at least ${ctx.d(a.shard_conflict_for)}; orgs only they were meant to collect are not collected.`,
  });
}

export function exporterTargetDown(ctx: AlertContext): AlertingRule[] {
  const a = ctx.config.alerts;
  const up = `${PROMETHEUS_UP}{job=~${quote(ctx.config.exporter_job)}}`;
  return [
    alertRule(ctx, {
      alert: 'MistExporterTargetDown',
      expr: `${up} == 0`,
      forSeconds: a.target_down_for,
      severity: 'warning',
      summary: 'Prometheus cannot scrape an exporter target.',
      description: `Scrapes of {{ $labels.instance }} (job {{ $labels.job }}) have failed for at least ${ctx.d(a.target_down_for)}.`,
    }),
    alertRule(ctx, {
      alert: 'MistExporterDown',
      expr: `max by (job) (${up}) == 0 or absent(${up})`,
      forSeconds: a.target_down_for,
      severity: 'critical',
      summary: 'No exporter target can be scraped: Mist data is unknown and no outage alert can fire.',
      description: `No target of job {{ with $labels.job }}{{ . }}{{ else }}${ctx.config.exporter_job} (none configured){{ end }} has been scraped for at least ${ctx.d(a.target_down_for)}.`,
    }),
  ];
}
