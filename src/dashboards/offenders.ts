import { drill, q, table, UID, type PanelSpec } from './build.js';
import type { DataLink, FieldOverride, ThresholdStep } from './grafana.js';
import { columnLinks, mergeTables, organize, withSite, withSiteAndCircuit } from './queries.js';

/**
 * Ranked tables ("top offenders") built one way: the first column ranks (`topk` / `bottomk` N, so a 7,592-circuit
 * org stays readable), every other column is kept to the same rows (`and on (<ids>) <the ranking>`), the instant
 * table queries are merged on their labels, ids are hidden except the ones the data links read, names come first,
 * and the table opens sorted by the ranking column. Grafana exports any table to CSV (panel menu → Inspect → Data).
 */

export interface Column {
  /** Column header. */
  readonly title: string;
  /** The value per row (circuit, site or region), before names are joined. */
  readonly expr: string;
  readonly unit: string;
  readonly thresholds?: ThresholdStep[];
  readonly decimals?: number;
}

/** Who a row is. */
export interface RowKind {
  /** The identity labels the columns are matched on. */
  readonly keys: readonly string[];
  /** Adds the names (site_name, region, wan_name …) and applies the region filter. */
  readonly wrap: (expr: string) => string;
  /** Label columns shown first, in this order. */
  readonly order: readonly string[];
  /** Label columns hidden (ids no one reads, the fixed `level`). */
  readonly hidden: readonly string[];
  /** Data links on label columns. */
  readonly links: readonly FieldOverride[];
}

const CIRCUIT_KEYS = ['org_id', 'site_id', 'mac', 'port_id'] as const;

export const siteLink = (): DataLink =>
  drill('Open the site', UID.site, { region: '${__data.fields.region}', site_id: '${__data.fields.site_id}' });
export const circuitLink = (): DataLink =>
  drill('Open the circuit', UID.circuit, { site_id: '${__data.fields.site_id}', port_id: '${__data.fields.port_id}' });
export const regionLink = (): DataLink => drill('Open the region', UID.region, { region: '${__data.fields.region}' });

/**
 * One circuit per row: site, circuit name, role, provider, the provider's circuit id (what a ticket with the carrier
 * quotes, so it is in the CSV too); links to the site and the circuit.
 */
export const CIRCUIT_ROWS: RowKind = {
  keys: CIRCUIT_KEYS,
  wrap: (e) => withSiteAndCircuit(e),
  order: ['site_name', 'wan_name', 'role', 'provider', 'circuit_id', 'region'],
  hidden: ['org_id', 'mac', 'level', 'kpi'],
  links: [columnLinks('site_name', [siteLink()]), columnLinks('wan_name', [circuitLink()])],
};

/** One site per row; links to the site and its region. */
export const SITE_ROWS: RowKind = {
  keys: ['org_id', 'site_id'],
  wrap: (e) => withSite(e),
  order: ['site_name', 'region'],
  hidden: ['org_id', 'level', 'kpi'],
  links: [columnLinks('site_name', [siteLink()]), columnLinks('region', [regionLink()])],
};

/**
 * One region per row (series already by {org_id, region}); links to the region. `max without ()` drops the metric
 * name, which would otherwise keep Grafana's merge from joining the columns of different recorded series.
 */
export const REGION_ROWS: RowKind = {
  keys: ['org_id', 'region'],
  wrap: (e) => `max without () (${e})`,
  order: ['region'],
  hidden: ['org_id', 'level', 'kpi'],
  links: [columnLinks('region', [regionLink()])],
};

export interface RankedTable {
  readonly title: string;
  readonly description: string;
  readonly rows: RowKind;
  /** top: the largest first; bottom: the smallest first; all: every row (regions), sorted by the first column. */
  readonly rank: 'top' | 'bottom' | 'all';
  readonly n?: number;
  readonly columns: readonly Column[];
  readonly timeFrom?: string;
  readonly emptyWhenQuiet?: string;
  /** The column the table opens sorted by (default the first) and its direction (default: worst first). */
  readonly sortBy?: { readonly column: string; readonly desc: boolean };
}

const CSV = ' Sortable by any column; export: panel menu → Inspect → Data → Download CSV.';

/** The value column Grafana names for query i of n instant table queries. */
const valueField = (i: number, n: number): string => (n === 1 ? 'Value' : `Value #${String.fromCharCode(65 + i)}`);

export function rankedTable(spec: RankedTable, w = 24, h = 10): ReturnType<typeof table> {
  const n = spec.n ?? 50;
  const [first, ...rest] = spec.columns;
  if (!first) throw new Error(`${spec.title}: no columns`);
  const on = `on (${spec.rows.keys.join(', ')})`;
  const ranking = spec.rank === 'all' ? spec.rows.wrap(first.expr) : `${spec.rank}k(${n}, ${spec.rows.wrap(first.expr)})`;
  const exprs = [
    ranking,
    ...rest.map((c) => (spec.rank === 'all' ? spec.rows.wrap(c.expr) : spec.rows.wrap(`(${c.expr}) and ${on} ${ranking}`))),
  ];
  const rename = Object.fromEntries(spec.columns.map((c, i) => [valueField(i, spec.columns.length), c.title]));
  const order = [...spec.rows.order, ...spec.columns.map((c) => c.title)];
  const overrides: FieldOverride[] = [
    ...spec.columns.map((c) => ({
      matcher: { id: 'byName', options: c.title },
      properties: [
        { id: 'unit', value: c.unit },
        ...(c.decimals !== undefined ? [{ id: 'decimals', value: c.decimals }] : []),
        ...(c.thresholds ? [
          { id: 'thresholds', value: { mode: 'absolute', steps: c.thresholds } },
          { id: 'color', value: { mode: 'thresholds' } },
          { id: 'custom.cellOptions', value: { type: 'color-text' } },
        ] : []),
      ],
    })),
    ...spec.rows.links,
  ];
  const panelSpec: PanelSpec = {
    title: spec.title,
    description: `${spec.description}${spec.rank === 'all' ? '' : ` ${spec.rank === 'top' ? 'Top' : 'Bottom'} ${n}, worst first.`}${CSV}`,
    unit: first.unit,
    queries: exprs.map((e) => q(e, { table: true, instant: true })),
    transformations: [...(exprs.length > 1 ? [mergeTables()] : []), organize(spec.rows.hidden, rename, order)],
    overrides,
    options: { sortBy: [spec.sortBy ? { displayName: spec.sortBy.column, desc: spec.sortBy.desc } : { displayName: first.title, desc: spec.rank !== 'bottom' }] },
  };
  if (first.thresholds) panelSpec.thresholds = first.thresholds;
  if (spec.timeFrom) panelSpec.timeFrom = spec.timeFrom;
  if (spec.emptyWhenQuiet) panelSpec.emptyWhenQuiet = spec.emptyWhenQuiet;
  return table(panelSpec, w, h);
}

/** The same rows, one per value of an extra label too (e.g. `kpi`, `sle`), shown after the names. */
export const perLabel = (rows: RowKind, label: string): RowKind => ({
  ...rows,
  keys: [...rows.keys, label],
  order: [...rows.order, label],
  hidden: rows.hidden.filter((h) => h !== label),
});
