import { metric } from '../rules/promql.js';
import type { DataLink, FieldOverride, Panel, ThresholdStep } from './grafana.js';

export { R } from '../rules/names.js';
export { metric };

/**
 * PromQL building blocks the boards share. Raw metric names go through `metric()` (refuses a name the catalogue
 * does not declare), recorded names come from `R` (src/rules/names.ts). Recorded series carry ids only
 * (org_id, site_id, mac, port_id; docs/kpis.md); the names a NOC reads (site_name, region, wan_name, role,
 * provider, circuit_id) are joined from the info metrics here, with `group by` so two exporter replicas or
 * overlapping jobs never make a duplicate match.
 */

/** Site labels, filtered by the dashboard's region variable: 1 per {org_id, site_id, site_name, region}. */
export const siteInfo = (matchers = 'region=~"$region"'): string =>
  `group by (org_id, site_id, site_name, region) (${metric('mist_site_info')}{${matchers}})`;

/** `expr` with site_name and region added (and only the sites of the selected regions kept). */
export const withSite = (expr: string, matchers?: string): string =>
  `(${expr}) * on (org_id, site_id) group_left (site_name, region) ${siteInfo(matchers)}`;

export const CIRCUIT_INFO_LABELS = ['wan_name', 'role', 'provider', 'circuit_id'] as const;

/** Circuit labels: 1 per {org_id, site_id, mac, port_id, wan_name, role, provider, circuit_id}. */
export const circuitInfo = (matchers = ''): string =>
  `group by (org_id, site_id, mac, port_id, ${CIRCUIT_INFO_LABELS.join(', ')}) (${metric('mist_wan_port_info')}${matchers ? `{${matchers}}` : ''})`;

/** `expr` (circuit level) with wan_name, role, provider and circuit_id added. */
export const withCircuit = (expr: string, matchers?: string): string =>
  `(${expr}) * on (org_id, site_id, mac, port_id) group_left (${CIRCUIT_INFO_LABELS.join(', ')}) ${circuitInfo(matchers)}`;

/** A circuit-level series with both site and circuit labels. */
export const withSiteAndCircuit = (expr: string, siteMatchers?: string): string => withSite(withCircuit(expr), siteMatchers);

/** Selectors of the site and circuit variables. */
export const SITE = 'site_id="$site_id"';
export const CIRCUIT = 'site_id="$site_id", port_id="$port_id"';

// ---------------------------------------------------------------- table helpers

/** Grafana's "organize" transformation: hide the id columns a NOC does not read, rename and order the rest. */
export function organize(exclude: readonly string[], rename: Readonly<Record<string, string>> = {}, order: readonly string[] = []): NonNullable<Panel['transformations']>[number] {
  return {
    id: 'organize',
    options: {
      excludeByName: Object.fromEntries(['Time', '__name__', ...exclude].map((k) => [k, true])),
      renameByName: rename,
      indexByName: Object.fromEntries(order.map((k, i) => [k, i])),
    },
  };
}

/** Joins the instant table queries of a panel on their labels (one row per series, one column per query). */
export const mergeTables = (): NonNullable<Panel['transformations']>[number] => ({ id: 'merge', options: {} });

/** Data links on one table column (e.g. the site name opens the site dashboard). */
export const columnLinks = (field: string, links: DataLink[]): FieldOverride =>
  ({ matcher: { id: 'byName', options: field }, properties: [{ id: 'links', value: links }] });

/** A unit (or other property) for one column of a multi-query table, e.g. columnUnit('Value #B', 'percentunit'). */
export const columnUnit = (field: string, unit: string): FieldOverride =>
  ({ matcher: { id: 'byName', options: field }, properties: [{ id: 'unit', value: unit }] });

// ---------------------------------------------------------------- raw reads and table columns (live and health boards)

/** The job variable's matcher for raw metrics (recorded series carry no job). */
export const JOB = 'job=~"$job"';

/**
 * A raw catalogue metric read across exporter replicas and overlapping `?family=` jobs: one series per identity
 * (the rules read raw metrics the same way), so sums and joins never count a series twice.
 */
export const anyReplica = (name: string, matchers = ''): string =>
  `max without (instance, job) (${metric(name)}${matchers ? `{${matchers}}` : ''})`;

/** Org labels: 1 per {org_id, org_name}. */
export const orgInfo = (): string => `group by (org_id, org_name) (${metric('mist_org_info')})`;

/**
 * `expr` (labelled by org_id) with org_name added where the org family knows it, and kept as is where it does not
 * (a health panel must not lose its rows when the org family is the one that is stale).
 */
export const withOrg = (expr: string): string =>
  `(${expr}) * on (org_id) group_left (org_name) ${orgInfo()} or ((${expr}) unless on (org_id) ${orgInfo()})`;

/** Table columns kept in the data (data links read them, e.g. `${__data.fields.site_id}`) but not shown. */
export const hiddenColumns = (...fields: string[]): FieldOverride[] =>
  fields.map((field) => ({ matcher: { id: 'byName', options: field }, properties: [{ id: 'custom.hidden', value: true }] }));

/** One table column coloured by thresholds (cell background), with its unit. */
export const colouredColumn = (field: string, unit: string, steps: ThresholdStep[]): FieldOverride => ({
  matcher: { id: 'byName', options: field },
  properties: [
    { id: 'unit', value: unit },
    { id: 'thresholds', value: { mode: 'absolute', steps } },
    { id: 'color', value: { mode: 'thresholds' } },
    { id: 'custom.cellOptions', value: { type: 'color-background', mode: 'basic' } },
  ],
});

/** Thresholds (and their colours) for the values of one query of a multi-query panel, by refId. */
export const queryThresholds = (refId: string, steps: ThresholdStep[]): FieldOverride => ({
  matcher: { id: 'byFrameRefID', options: refId },
  properties: [{ id: 'thresholds', value: { mode: 'absolute', steps } }, { id: 'color', value: { mode: 'thresholds' } }],
});

/** Column titles by field name (display names: the fields keep their names, which data links read). */
export const columnTitles = (names: Readonly<Record<string, string>>): FieldOverride[] =>
  Object.entries(names).map(([field, title]) => ({ matcher: { id: 'byName', options: field }, properties: [{ id: 'displayName', value: title }] }));
