/**
 * The shapes of generated Prometheus rule files (prometheus.io/docs/prometheus/latest/configuration/recording_rules,
 * alerting_rules). Rule files are generated from src/rules by `npm run rules`; nothing under prometheus/rules or
 * prometheus/alerts is edited by hand.
 */

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export type Severity = 'critical' | 'warning' | 'info';

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration, e.g. '5m'. */
  readonly for: string;
  readonly labels: Readonly<{ severity: Severity } & Record<string, string>>;
  readonly annotations: Readonly<{ summary: string; description: string; runbook_url: string } & Record<string, string>>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  /** Prometheus duration; every group states its interval (the rules assume it). */
  readonly interval: string;
  readonly rules: readonly Rule[];
}

/** One generated file, relative to the output directory (e.g. `rules/mist-wan-minute.yml`, `alerts/mist-wan.yml`). */
export interface RuleFile {
  readonly path: string;
  /** What the file holds, written into its header comment. */
  readonly title: string;
  readonly groups: readonly RuleGroup[];
}

export const isAlert = (r: Rule): r is AlertingRule => 'alert' in r;
