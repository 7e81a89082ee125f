import { q, type PanelSpec } from '../build.js';
import type { DataLink, FieldOverride, ThresholdStep, ValueMapping } from '../grafana.js';
import { mergeTables, organize } from '../queries.js';

/**
 * A table of one row per series key (site, circuit, gateway, path) and one column per instant query, joined on
 * their labels (Grafana's merge). Every query must return the same label set (wrap them with the same label
 * joins); a series missing from one query leaves its cell empty.
 */

export interface Column {
  /** Column header (the query's "Value #X" renamed). */
  title: string;
  expr: string;
  unit: string;
  decimals?: number;
  thresholds?: ThresholdStep[];
  mappings?: ValueMapping[];
  /** Colour the cell's background from thresholds or mappings. */
  colour?: boolean;
}

export interface ColumnsTableOptions {
  /** Label columns shown, in order, label → header. */
  labels: Readonly<Record<string, string>>;
  /** Label columns kept (data links read them) but not shown. */
  hidden?: readonly string[];
  /** Label columns dropped. */
  exclude?: readonly string[];
  /** Data links on a column (by its header). */
  links?: { column: string; links: DataLink[] }[];
  /** Sort by this column (header), descending unless `asc`. */
  sortBy: string;
  asc?: boolean;
}

type TableParts = Pick<PanelSpec, 'queries' | 'transformations' | 'overrides' | 'options' | 'custom'>;

const valueField = (i: number): string => `Value #${String.fromCharCode(65 + i)}`;

const prop = (field: string, properties: Record<string, unknown>): FieldOverride =>
  ({ matcher: { id: 'byName', options: field }, properties: Object.entries(properties).map(([id, value]) => ({ id, value })) });

export function columnsTable(columns: readonly Column[], o: ColumnsTableOptions): TableParts {
  const rename: Record<string, string> = { ...o.labels };
  columns.forEach((c, i) => (rename[valueField(i)] = c.title));
  const order = [...Object.keys(o.labels), ...columns.map((_, i) => valueField(i)), ...(o.hidden ?? [])];
  const overrides: FieldOverride[] = columns.map((c) => {
    const p: Record<string, unknown> = { unit: c.unit };
    if (c.decimals !== undefined) p.decimals = c.decimals;
    if (c.thresholds) p.thresholds = { mode: 'absolute', steps: c.thresholds };
    if (c.mappings) p.mappings = c.mappings;
    if (c.colour) {
      p['custom.cellOptions'] = { type: 'color-background', mode: 'basic' };
      if (c.thresholds) p.color = { mode: 'thresholds' };
    }
    return prop(c.title, p);
  });
  for (const h of o.hidden ?? []) overrides.push(prop(h, { 'custom.hidden': true }));
  for (const l of o.links ?? []) overrides.push(prop(l.column, { links: l.links }));
  return {
    queries: columns.map((c) => q(c.expr, { table: true, instant: true })),
    transformations: [mergeTables(), organize(o.exclude ?? ['org_id'], rename, order)],
    overrides,
    custom: { align: 'auto', inspect: false, filterable: true },
    options: { frameIndex: 0, showHeader: true, sortBy: [{ displayName: o.sortBy, desc: !o.asc }] },
  };
}
