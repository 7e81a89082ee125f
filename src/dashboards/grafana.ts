/**
 * The subset of Grafana's classic dashboard JSON model (schemaVersion 41) the generator emits, typed here rather
 * than taken from @grafana/grafana-foundation-sdk: the SDK is a 0.0.x public preview whose builders add keys
 * Grafana ignores (data links built as dashboard links) and follow Grafana 12; our panel set is small, and the
 * proof that the JSON is right is the test against Grafana's own JSON schemas (../shared/grafana-schema), not
 * the types. Field names are Grafana's.
 */

export interface DataSourceRef {
  readonly type: 'prometheus';
  readonly uid: string;
}

export interface Target {
  refId: string;
  datasource: DataSourceRef;
  expr: string;
  /** Instant query (tables, stats): one value per series at the end of the range. */
  instant?: boolean;
  range?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  legendFormat?: string;
  /** Min step, e.g. '1m' (the recorded series' grain) or '1h' for clock-hour reads. */
  interval?: string;
  editorMode?: 'code';
}

export interface ThresholdStep {
  color: string;
  /** null for the base step. */
  value: number | null;
}

export interface Thresholds {
  mode: 'absolute' | 'percentage';
  steps: ThresholdStep[];
}

export interface DataLink {
  title: string;
  url: string;
  targetBlank?: boolean;
}

export interface ValueMapping {
  type: 'value' | 'range' | 'special';
  options: Record<string, unknown>;
}

export interface FieldConfigDefaults {
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  thresholds?: Thresholds;
  color?: { mode: string; fixedColor?: string };
  links?: DataLink[];
  mappings?: ValueMapping[];
  noValue?: string;
  displayName?: string;
  custom?: Record<string, unknown>;
}

export interface FieldOverride {
  matcher: { id: string; options?: unknown };
  properties: { id: string; value?: unknown }[];
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type PanelType = 'timeseries' | 'stat' | 'table' | 'state-timeline' | 'status-history' | 'bargauge' | 'gauge' | 'text' | 'heatmap' | 'piechart';

export interface Panel {
  id: number;
  type: PanelType;
  title: string;
  description: string;
  gridPos: GridPos;
  datasource: DataSourceRef;
  targets: Target[];
  fieldConfig: { defaults: FieldConfigDefaults; overrides: FieldOverride[] };
  options: Record<string, unknown>;
  transformations?: { id: string; options: Record<string, unknown> }[];
  links?: DataLink[];
  /** Grafana's "relative time" override, e.g. '24h'. */
  timeFrom?: string;
  interval?: string;
  maxDataPoints?: number;
  pluginVersion?: string;
}

export interface RowPanel {
  id: number;
  type: 'row';
  title: string;
  collapsed: boolean;
  gridPos: GridPos;
  panels: Panel[];
}

export interface VariableOption {
  text: string | string[];
  value: string | string[];
  selected?: boolean;
}

export interface Variable {
  type: 'datasource' | 'query' | 'custom' | 'constant' | 'textbox' | 'interval';
  name: string;
  label: string;
  description?: string;
  /** For query variables a PromQL/label_values string (Grafana's schema types it as a string here). */
  query: string;
  datasource?: DataSourceRef | null;
  definition?: string;
  /** 1 on dashboard load, 2 on time range change. */
  refresh?: 0 | 1 | 2;
  /** 0 disabled, 1 alphabetical asc, 3 numerical asc, 7 case-insensitive asc. */
  sort?: number;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  regex?: string;
  /** 0 shown, 1 label hidden, 2 variable hidden. */
  hide?: 0 | 1 | 2;
  current?: VariableOption;
  options?: VariableOption[];
  skipUrlSync?: boolean;
}

export interface DashboardLink {
  title: string;
  type: 'dashboards' | 'link';
  tags: string[];
  asDropdown: boolean;
  icon: string;
  includeVars: boolean;
  keepTime: boolean;
  targetBlank: boolean;
  tooltip: string;
  url: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: 'utc' | 'browser';
  editable: boolean;
  graphTooltip: 0 | 1 | 2;
  liveNow: boolean;
  fiscalYearStartMonth: number;
  schemaVersion: number;
  version: number;
  refresh: string;
  time: { from: string; to: string };
  timepicker: { refresh_intervals?: string[] };
  templating: { list: Variable[] };
  annotations: { list: Record<string, unknown>[] };
  links: DashboardLink[];
  panels: (Panel | RowPanel)[];
}
