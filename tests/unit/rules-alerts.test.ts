import { describe, expect, it } from 'vitest';
import { catalogueEntries } from '../../src/metrics/catalogue/index.js';
import { PROMETHEUS_ALERTS, PROMETHEUS_UP } from '../../src/rules/alerts/common.js';
import { DEFAULT_KPI_CONFIG, parseKpiConfig } from '../../src/rules/config.js';
import { alertRuleFiles } from '../../src/rules/alerts/index.js';
import { parseDuration } from '../../src/rules/config.js';
import { R } from '../../src/rules/names.js';
import { isAlert, type AlertingRule } from '../../src/rules/types.js';
import { selectorNames } from '../support/promql-names.js';

const rulesOf = (config = DEFAULT_KPI_CONFIG, timeScale = 1): AlertingRule[] =>
  alertRuleFiles(config, { timeScale }).flatMap((f) => f.groups.flatMap((g) => g.rules.filter(isAlert)));
const byName = (rules: AlertingRule[], name: string): AlertingRule => rules.find((r) => r.alert === name)!;
/** Every range `[…]` of an expression, in seconds. */
const ranges = (expr: string): number[] => [...expr.matchAll(/\[(\w+)\]/g)].map((m) => parseDuration(m[1]!));

describe('generated alerts', () => {
  const shipped = rulesOf();

  it('are the ones the design lists, each with severity, for, summary, description and runbook_url', () => {
    expect([...new Set(shipped.map((r) => r.alert))].sort()).toEqual([
      'MistApiBudgetNearExhaustion', 'MistApiRateLimited', 'MistCircuitCongested', 'MistCircuitDown', 'MistCollectorFailing', 'MistCollectorShardConflict',
      'MistDataStale', 'MistExporterDown', 'MistExporterTargetDown', 'MistOnSecondaryTooLong', 'MistPathQualityDegraded',
      'MistSiteDown', 'MistSiteSleDegraded', 'MistStoreDown',
    ]);
    for (const r of shipped) {
      expect(r.labels.severity).toMatch(/^(critical|warning)$/);
      expect(parseDuration(r.for)).toBeGreaterThan(0);
      expect(r.annotations.summary, r.alert).not.toContain('{{');
      expect(r.annotations.description, r.alert).toMatch(/\{\{[^}]*\$labels\./);
      expect(r.annotations.runbook_url).toBe(`${DEFAULT_KPI_CONFIG.runbook_base_url}#${r.alert.toLowerCase()}`);
    }
  });

  it('read the recorded series through last_over_time over hold_through_unknown, gated on known data or firing', () => {
    const reads: [string, string][] = [
      ['MistSiteDown', R.siteDown], ['MistCircuitDown', R.circuitUp], ['MistOnSecondaryTooLong', R.onSecondary],
      ['MistCircuitCongested', R.utilizationBreach], ['MistPathQualityDegraded', R.lossBreach],
      ['MistPathQualityDegraded', R.latencyBreach], ['MistPathQualityDegraded', R.jitterBreach],
    ];
    for (const [alert, series] of reads) {
      const expr = byName(shipped, alert).expr;
      expect(expr, alert).toContain(`last_over_time(${series}`);
      expect(expr, alert).toContain(`ALERTS{alertname="${alert}", alertstate="firing"`);
      expect(expr, alert).toContain('[30m]');
    }
  });

  it('scale every duration (for:, ranges, group interval) by timeScale, and only those', () => {
    const scale = 1 / 30;
    const fast = rulesOf(DEFAULT_KPI_CONFIG, scale);
    const files = alertRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: scale });
    expect(files.flatMap((f) => f.groups.map((g) => g.interval))).toEqual(['2s', '2s']);
    expect(fast).toHaveLength(shipped.length);
    shipped.forEach((slow, i) => {
      const quick = fast[i]!;
      expect(parseDuration(quick.for) * 30, slow.alert).toBe(parseDuration(slow.for));
      expect(ranges(quick.expr).map((s) => s * 30), slow.alert).toEqual(ranges(slow.expr));
      if (slow.annotations.description.includes(`at least ${slow.for}`)) expect(quick.annotations.description, slow.alert).toContain(`at least ${quick.for}`);
    });
    expect(byName(fast, 'MistSiteDown').for).toBe('10s');
    expect(byName(fast, 'MistSiteDown').expr).toContain('[1m]');
    // Mist's clock hour for the budget is Mist's, not a rule duration.
    expect(byName(fast, 'MistApiBudgetNearExhaustion').expr).toContain('time() % 3600');
  });

  it('follow the config: levels, durations, thresholds, paging families, exporter job, runbook base', () => {
    const config = parseKpiConfig({
      alerts: { congestion_level: 'critical', congestion_for: '45m', path_quality_level: 'warning', sle_below: 0.8,
        stale_intervals: 5, stale_critical_families: ['wan-ports'], budget_used_ratio: 0.75, hold_through_unknown: '1h' },
      exporter_job: 'mist-exp-.*',
      runbook_base_url: 'https://wiki.example.com/runbooks',
    });
    const rules = rulesOf(config);
    expect(byName(rules, 'MistCircuitCongested').expr).toContain(`${R.utilizationBreach}{level="critical"}`);
    expect(byName(rules, 'MistCircuitCongested').for).toBe('45m');
    expect(byName(rules, 'MistPathQualityDegraded').expr).toContain(`${R.lossBreach}{level="warning"}`);
    expect(byName(rules, 'MistSiteSleDegraded').expr).toContain('< 0.8');
    expect(byName(rules, 'MistSiteDown').expr).toContain('[1h]');
    expect(byName(rules, 'MistApiBudgetNearExhaustion').expr).toContain('>= 0.75');
    const stale = rules.filter((r) => r.alert === 'MistDataStale');
    expect(stale.map((r) => [r.labels.severity, /family[!=]~"[^"]*"/.exec(r.expr)![0]])).toEqual([
      ['critical', 'family=~"wan-ports"'], ['warning', 'family!~"wan-ports"'], ['critical', 'family=~"wan-ports"'], ['warning', 'family!~"wan-ports"'],
    ]);
    expect(stale[0]!.expr).toContain('> on (org_id, family) 5 *');
    // A family attempted but never collected: no success timestamp for the first form, so a second one.
    expect(stale[2]!.expr).toContain('mist_collector_last_success{family=~"wan-ports"}) == 0 unless on (org_id, family)');
    expect(byName(rules, 'MistExporterDown').expr).toContain('up{job=~"mist-exp-.*"}');
    expect(byName(rules, 'MistSiteDown').annotations.runbook_url).toBe('https://wiki.example.com/runbooks#mistsitedown');
  });

  it('read only catalogue metrics, recorded names of names.ts, and Prometheus\'s own up and ALERTS', () => {
    const allowed = new Set<string>([...catalogueEntries().map((e) => e.name), ...Object.values(R), PROMETHEUS_UP, PROMETHEUS_ALERTS]);
    const read = new Set(shipped.flatMap((r) => selectorNames(r.expr)));
    expect([...read].filter((n) => !allowed.has(n))).toEqual([]);
    for (const n of ['mist_site_info', 'mist_wan_port_info', 'mist_collector_last_success_timestamp_seconds', 'mist_store_up', R.siteDown, PROMETHEUS_UP, PROMETHEUS_ALERTS]) {
      expect(read.has(n), n).toBe(true);
    }
  });
});
