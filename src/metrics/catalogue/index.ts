import { FAMILY_CATALOGUES } from '../../families/registry.js';
import type { MetricDef, SelfMetricDef } from '../types.js';
import { API_METRICS, COLLECTOR_METRICS, EXPORTER_METRICS } from './self.js';

/** The pseudo-family of self-metrics in /metrics?family=… */
export const SELF_FAMILY = 'exporter';

export const SELF_METRICS: readonly SelfMetricDef[] = [
  ...Object.values(COLLECTOR_METRICS), ...Object.values(API_METRICS), ...Object.values(EXPORTER_METRICS),
];

export interface CatalogueEntry extends SelfMetricDef {
  /** The /metrics?family=… value that serves it. */
  readonly family: string;
}

/** The whole catalogue, flat: the single source for docs/metrics.md, the lint test and rules/dashboard checks. */
export function catalogueEntries(): CatalogueEntry[] {
  const fromFamilies = FAMILY_CATALOGUES.flatMap((c) => c.groups.flatMap((g) =>
    g.metrics.map((m: MetricDef<never>) => ({ name: m.name, type: m.type, unit: m.unit, help: m.help, labels: g.labels, family: c.family }))));
  const fromCounters = FAMILY_CATALOGUES.flatMap((c) => (c.counters ?? []).map((m) =>
    ({ name: m.name, type: 'counter' as const, unit: m.unit, help: m.help, labels: m.labels, family: c.family })));
  return [...fromFamilies, ...fromCounters, ...SELF_METRICS.map((m) => ({ ...m, family: SELF_FAMILY }))];
}
