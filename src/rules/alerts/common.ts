import type { GenerateOptions, KpiConfig } from '../config.js';
import { duration, metric, oneLine, REPLICA_LABELS } from '../promql.js';
import type { AlertingRule, Severity } from '../types.js';

/**
 * Building blocks of the alerting rules. Two kinds of alert:
 * - outage and quality alerts read the recorded per-minute series (src/rules/names.ts `R`), which exist only while
 *   their data is known. They must never fire on unknown data and must not resolve just because the data went
 *   unknown (the audit's `mist_wan_port_up == 0` resolved when the family expired). `heldWhile` does both.
 * - pipeline alerts read the exporter's raw self-metrics and Prometheus's own `up`.
 */

/** Prometheus's own series, which the metric catalogue cannot declare. */
export const PROMETHEUS_UP = 'up';
export const PROMETHEUS_ALERTS = 'ALERTS';

export const CIRCUIT_KEYS = ['org_id', 'site_id', 'mac', 'port_id'] as const;
export const GATEWAY_KEYS = ['org_id', 'site_id', 'mac'] as const;
export const SITE_KEYS = ['org_id', 'site_id'] as const;

/** Everything an alert builder needs: the config and the scaled durations. */
export interface AlertContext {
  readonly config: KpiConfig;
  readonly options: GenerateOptions;
  /** A config duration (seconds) scaled by options.timeScale, as a Prometheus duration. */
  readonly d: (seconds: number) => string;
  /** The hold-through-unknown window, scaled. */
  readonly hold: string;
}

export function alertContext(config: KpiConfig, options: GenerateOptions): AlertContext {
  const d = (seconds: number): string => duration(seconds * options.timeScale);
  return { config, options, d, hold: d(config.alerts.hold_through_unknown) };
}

const list = (keys: readonly string[]): string => keys.join(', ');

/** A raw catalogue metric read across exporter replicas and overlapping `?family=` jobs (one series per identity). */
export const anyReplica = (name: string, matchers = ''): string =>
  `max without (${REPLICA_LABELS.join(', ')}) (${metric(name)}${matchers ? `{${matchers}}` : ''})`;

/**
 * `last_over_time(series[hold]) <condition>`, true only while the series is known now or the alert is already
 * firing: pending never advances on unknown data (a pending alert whose data goes unknown starts over), and a
 * firing one holds its last known state for `hold` after its series vanished, then resolves. Recovery (a known
 * sample that fails the condition) resolves at once. Keys: the series' identity labels; `extra` ALERTS matchers
 * pick this branch's alerts when one alert has several branches.
 */
export function heldWhile(ctx: AlertContext, alert: string, series: string, condition: string, keys: readonly string[], extra = ''): string {
  const on = list(keys);
  const firing = `${PROMETHEUS_ALERTS}{alertname="${alert}", alertstate="firing"${extra ? `, ${extra}` : ''}}`;
  return `(last_over_time(${series}[${ctx.hold}]) ${condition}) and on (${on}) (count by (${on}) (${series}) or count by (${on}) (${firing}))`;
}

/**
 * Joins an alert's series with an info metric's labels (region and site_name for a site; wan_name, role … for a
 * circuit): the current info, else the last within `hold` (an info family that went unknown keeps its labels),
 * else none (the alert still fires, without them). `topk` keeps one per identity when a rename falls in the hold.
 */
export function withInfo(ctx: AlertContext, expr: string, info: string, keys: readonly string[], labels: readonly string[], series: string): string {
  const on = list(keys);
  const by = list([...keys, ...labels]);
  const infoNow = `max by (${by}) (${metric(info)})`;
  const infoHeld = `max by (${by}) (last_over_time(${metric(info)}[${ctx.hold}]))`;
  const bare = `group by (${on}) (last_over_time(${series}[${ctx.hold}]))`;
  return `(${expr}) * on (${on}) group_left (${list(labels)}) topk by (${on}) (1, ${infoNow} or on (${on}) ${infoHeld} or on (${on}) ${bare})`;
}

/** Region and site name of a site-scoped alert. */
export const withSite = (ctx: AlertContext, expr: string, series: string): string =>
  withInfo(ctx, expr, 'mist_site_info', SITE_KEYS, ['region', 'site_name'], series);

/** The circuit's name, role, provider and circuit id (mist_wan_port_info). */
export const withCircuit = (ctx: AlertContext, expr: string, series: string): string =>
  withInfo(ctx, expr, 'mist_wan_port_info', CIRCUIT_KEYS, ['wan_name', 'role', 'provider', 'circuit_id'], series);

/** Description fragments: where a site-scoped alert is, and which circuit. */
export const where = 'site {{ with $labels.site_name }}{{ . }} {{ end }}({{ $labels.site_id }}, region {{ or $labels.region "unknown" }})';
export const circuit = 'circuit {{ with $labels.wan_name }}{{ . }} {{ end }}(port {{ $labels.port_id }}{{ with $labels.role }}, {{ . }}{{ end }}{{ with $labels.provider }}, provider {{ . }}{{ end }}{{ with $labels.circuit_id }}, circuit id {{ . }}{{ end }}) of gateway {{ $labels.mac }}';

/** The anchor of an alert's section in docs/runbooks.md (GitHub's: the heading lower-cased). */
export const runbookAnchor = (alert: string): string => alert.toLowerCase();

export interface AlertSpec {
  readonly alert: string;
  readonly expr: string;
  /** Seconds, unscaled (from the config). */
  readonly forSeconds: number;
  readonly severity: Severity;
  /** Static labels beside severity (e.g. to tell two rules of one alert apart: promtool refuses duplicates). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
}

export function alertRule(ctx: AlertContext, spec: AlertSpec): AlertingRule {
  return {
    alert: spec.alert,
    expr: oneLine(spec.expr),
    for: ctx.d(spec.forSeconds),
    labels: { severity: spec.severity, ...spec.labels },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: `${ctx.config.runbook_base_url}#${runbookAnchor(spec.alert)}`,
    },
  };
}
