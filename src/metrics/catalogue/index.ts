import type { FamilyCatalogue, MetricDef, SelfMetricDef } from '../types.js';
import { alarmsCatalogue } from './alarms.js';
import { circuitsCatalogue } from './circuits.js';
import { eventsCatalogue } from './events.js';
import { gatewaysCatalogue } from './gateways.js';
import { API_METRICS, COLLECTOR_METRICS, EXPORTER_METRICS } from './self.js';
import { orgCatalogue, sitesCatalogue } from './sites.js';
import { sleDetailsCatalogue } from './sle-details.js';
import { sleCatalogue } from './sle.js';
import { vpnPeersCatalogue } from './vpn-peers.js';
import { wanPortsCatalogue } from './wan-ports.js';

/** Every family's metrics, in exposition order. Adding a family: its catalogue file and one line here. */
export const FAMILY_CATALOGUES: readonly FamilyCatalogue<never>[] = [
  orgCatalogue, sitesCatalogue, gatewaysCatalogue, wanPortsCatalogue, vpnPeersCatalogue, circuitsCatalogue, sleCatalogue, sleDetailsCatalogue, alarmsCatalogue, eventsCatalogue,
] as unknown as FamilyCatalogue<never>[];

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
