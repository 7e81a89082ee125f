import { q, stat } from '../build.js';
import type { DashCtx } from '../context.js';
import type { ThresholdStep } from '../grafana.js';
import { anyReplica, R } from '../queries.js';

/**
 * Data freshness, shared by the NOC live board (its banner) and the health board: is what the other panels show
 * current? Two views of one fact: the rules' verdict (`org_family:mist_collector_fresh:bool1m`, which gates every
 * KPI series: stale data is unknown) and the raw age of each family's snapshot in collection intervals.
 */

/** Value of the stale-families stat when no freshness series exists at all (exporter not scraped, rules not loaded). */
export const NO_FRESHNESS_DATA = -1;

/**
 * Families the rules hold stale now; 0 when every family is fresh; −1 when there is no freshness series at all
 * (the exporter is not scraped or the rules are not loaded: everything is unknown, which must not read as green).
 */
export const staleFamiliesExpr = (): string =>
  `count(${R.fresh} == 0) or on () (count(${R.fresh}) * 0) or on () vector(${NO_FRESHNESS_DATA})`;

/** Age of each family's snapshot (max over orgs), in collection intervals of the family. */
export const snapshotAgeIntervalsExpr = (matchers = ''): string =>
  `max by (family) ((time() - ${anyReplica('mist_collector_last_success_timestamp_seconds', matchers)})
    / on (org_id, family) ${anyReplica('mist_collector_interval_seconds', matchers)})`;

/** Green while fresh, orange from the rules' freshness bound (data turns unknown), red from the staleness alert's. */
export const ageSteps = (ctx: DashCtx): ThresholdStep[] => [
  { color: 'green', value: null },
  { color: 'orange', value: ctx.kpi.fresh_intervals },
  { color: 'red', value: ctx.kpi.alerts.stale_intervals },
];

const STALE_DESCRIPTION = 'Families whose snapshot the recording rules hold stale now (org_family:mist_collector_fresh:bool1m = 0: '
  + 'older than fresh_intervals collection intervals). While a family is stale its KPIs are unknown: circuits read neither up '
  + 'nor down, utilization and quality have no value, so the panels that read them under-report. Red "NO DATA" when no '
  + 'freshness series exists (the exporter is not scraped or the rules are not loaded). The health dashboard says which '
  + 'family and why.';

/** The banner: red with the number of stale families (or NO DATA), green "All data fresh". */
export const staleFamiliesStat = (w: number, h: number) => stat({
  title: 'Data freshness: stale families',
  description: STALE_DESCRIPTION,
  unit: 'none',
  decimals: 0,
  queries: [q(staleFamiliesExpr(), { legend: 'stale families' })],
  thresholds: [{ color: 'red', value: null }, { color: 'green', value: 0 }, { color: 'red', value: 1 }],
  mappings: [{
    type: 'value',
    options: {
      [String(NO_FRESHNESS_DATA)]: { text: 'NO DATA: exporter not scraped or rules not loaded', color: 'red', index: 0 },
      0: { text: 'All data fresh', color: 'green', index: 1 },
    },
  }],
  options: { textMode: 'value', colorMode: 'background' },
}, w, h);

/** One box per family: its snapshot's age in collection intervals, coloured by the freshness and staleness bounds. */
export const snapshotAgeStat = (ctx: DashCtx, w: number, h: number, matchers = '') => stat({
  title: 'Snapshot age per family (collection intervals)',
  description: `How old each family's newest snapshot is (time() − mist_collector_last_success_timestamp_seconds), in its `
    + `collection intervals (mist_collector_interval_seconds; the oldest org's). Orange from ${ctx.kpi.fresh_intervals}: the `
    + `rules count its data as unknown; red from ${ctx.kpi.alerts.stale_intervals}: MistDataStale fires and the snapshot expires.`,
  unit: 'none',
  decimals: 1,
  queries: [q(snapshotAgeIntervalsExpr(matchers), { legend: '{{family}}' })],
  thresholds: ageSteps(ctx),
  options: { textMode: 'value_and_name', colorMode: 'background' },
}, w, h);
