import type { Level } from '../rules/config.js';
import type {
  Dashboard, DataLink, DataSourceRef, FieldConfigDefaults, FieldOverride, Panel, PanelType, RowPanel, Target, ThresholdStep,
  Variable,
} from './grafana.js';
import { DATASOURCE_UID, TAG, UID, type DashboardUid } from './uids.js';

/** Every panel and target reads the dashboard's datasource variable (dashboard-linter's panel-datasource-rule). */
export const DS: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

// ---------------------------------------------------------------- queries

export interface QueryOptions {
  /** Legend, e.g. '{{site_name}} {{port_id}}'. */
  legend?: string;
  /** Instant query (the default for stat, table, bargauge); false forces a range query. */
  instant?: boolean;
  /** Table format (one column per label, a Value column). */
  table?: boolean;
  /** Min step, e.g. '1m' for per-minute recorded series, '1h' for clock-hour reads. */
  interval?: string;
}

export interface Query {
  readonly expr: string;
  readonly options: QueryOptions;
}

export const q = (expr: string, options: QueryOptions = {}): Query => ({ expr: expr.replace(/\s+/g, ' ').trim(), options });

const INSTANT_BY_DEFAULT: ReadonlySet<PanelType> = new Set(['stat', 'table', 'bargauge', 'gauge', 'piechart']);

function target(query: Query, index: number, type: PanelType): Target {
  const o = query.options;
  const instant = o.instant ?? INSTANT_BY_DEFAULT.has(type);
  const t: Target = { refId: String.fromCharCode(65 + index), datasource: DS, expr: query.expr, editorMode: 'code', instant, range: !instant };
  if (o.table ?? type === 'table') t.format = 'table';
  else t.format = 'time_series';
  if (o.legend !== undefined) t.legendFormat = o.legend;
  if (o.interval !== undefined) t.interval = o.interval;
  return t;
}

// ---------------------------------------------------------------- thresholds and colours

export const LEVEL_COLOURS: Readonly<Record<Level | 'ok', string>> = { ok: 'green', warning: 'yellow', major: 'orange', critical: 'red' };

/** Steps green → yellow → orange → red at the warning / major / critical values of the KPI config. */
export function levelSteps(levels: Readonly<Record<Level, number>>): ThresholdStep[] {
  return [
    { color: LEVEL_COLOURS.ok, value: null },
    { color: LEVEL_COLOURS.warning, value: levels.warning },
    { color: LEVEL_COLOURS.major, value: levels.major },
    { color: LEVEL_COLOURS.critical, value: levels.critical },
  ];
}

/** Steps for a count where any is bad (e.g. circuits down): green at 0, red from 1. */
export const anyIsBad = (colour = 'red'): ThresholdStep[] => [{ color: 'green', value: null }, { color: colour, value: 1 }];

/** Steps for a ratio where low is bad (availability, SLE): red below `red`, yellow below `yellow`, green above. */
export const lowIsBad = (red: number, yellow: number): ThresholdStep[] =>
  [{ color: 'red', value: null }, { color: 'yellow', value: red }, { color: 'green', value: yellow }];

// ---------------------------------------------------------------- data links

/**
 * A link to another of our dashboards carrying variables and the time range. `vars` maps the target's variable
 * name to a value, typically `${__data.fields.site_id}` (a table cell) or `${site_id}` (this dashboard's variable).
 */
export function drill(title: string, uid: DashboardUid, vars: Readonly<Record<string, string>>): DataLink {
  const params = Object.entries(vars).map(([k, v]) => `var-${k}=${v}`);
  return { title, url: `/d/${uid}?${[...params, 'var-datasource=${datasource}', '${__url_time_range}'].join('&')}` };
}

// ---------------------------------------------------------------- panels

export interface PanelSpec {
  title: string;
  /** What the panel answers, shown in its (i) tooltip. Required: dashboard-linter's panel-title-description-rule. */
  description: string;
  /** Grafana unit id (https://grafana.com/docs/grafana/latest/panels-visualizations/configure-standard-options/#unit): 'percentunit', 's', 'none', … */
  unit: string;
  queries: Query[];
  thresholds?: ThresholdStep[];
  min?: number;
  max?: number;
  decimals?: number;
  /** Data links on every value (table cells, points). */
  links?: DataLink[];
  mappings?: FieldConfigDefaults['mappings'];
  noValue?: string;
  /** fieldConfig.defaults.custom (e.g. { cellOptions: { type: 'color-background' } } for tables). */
  custom?: Record<string, unknown>;
  overrides?: FieldOverride[];
  /** Panel options; merged over the type's defaults below. */
  options?: Record<string, unknown>;
  transformations?: Panel['transformations'];
  timeFrom?: string;
  colorMode?: string;
  /**
   * Set on a panel that is empty on purpose while the network is healthy (e.g. "circuits down now"): the reason,
   * appended to the description after QUIET_EMPTY_MARK so a NOC user reading the (i) tooltip of an empty panel
   * knows all is well. The dashboard test allows these panels to be empty in a quiet network and proves each one
   * non-empty in a scenario that forces its condition.
   */
  emptyWhenQuiet?: string;
}

/** Marks the reason a panel may be empty in a healthy network (PanelSpec.emptyWhenQuiet). */
export const QUIET_EMPTY_MARK = 'Empty when all is well: ';

/**
 * Panel options every panel of a type gets unless the spec sets them: each type's required options in Grafana's
 * schema (tests/unit/dashboards-schema.test.ts validates them per type).
 */
const DEFAULT_OPTIONS: Partial<Record<PanelType, Record<string, unknown>>> = {
  timeseries: { legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['mean', 'max', 'lastNotNull'] }, tooltip: { mode: 'multi', sort: 'desc' } },
  stat: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'none', justifyMode: 'auto', orientation: 'auto', textMode: 'auto', showPercentChange: false, percentChangeColorMode: 'standard', wideLayout: true },
  table: { frameIndex: 0, showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], countRows: false, fields: [] } },
  bargauge: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal', displayMode: 'gradient', showUnfilled: true, legend: { displayMode: 'list', placement: 'bottom', showLegend: false, calcs: [] }, valueMode: 'color', namePlacement: 'auto', sizing: 'auto', minVizWidth: 8, minVizHeight: 16, maxVizHeight: 300 },
  'state-timeline': { mergeValues: true, showValue: 'auto', alignValue: 'left', rowHeight: 0.9, legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] }, tooltip: { mode: 'single', sort: 'none' } },
  'status-history': { showValue: 'auto', rowHeight: 0.9, colWidth: 0.9, legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] }, tooltip: { mode: 'single', sort: 'none' } },
};

type Sized = { panel: Omit<Panel, 'id' | 'gridPos'>; w: number; h: number };

export function panel(type: PanelType, spec: PanelSpec, w: number, h: number): Sized {
  const defaults: FieldConfigDefaults = { unit: spec.unit };
  if (spec.thresholds) defaults.thresholds = { mode: 'absolute', steps: spec.thresholds };
  if (spec.min !== undefined) defaults.min = spec.min;
  if (spec.max !== undefined) defaults.max = spec.max;
  if (spec.decimals !== undefined) defaults.decimals = spec.decimals;
  if (spec.links) defaults.links = spec.links;
  if (spec.mappings) defaults.mappings = spec.mappings;
  if (spec.noValue !== undefined) defaults.noValue = spec.noValue;
  if (spec.custom) defaults.custom = spec.custom;
  defaults.color = { mode: spec.colorMode ?? (spec.thresholds ? 'thresholds' : 'palette-classic') };
  const p: Omit<Panel, 'id' | 'gridPos'> = {
    type,
    title: spec.title,
    description: spec.emptyWhenQuiet ? `${spec.description}\n\n${QUIET_EMPTY_MARK}${spec.emptyWhenQuiet}` : spec.description,
    datasource: DS,
    targets: spec.queries.map((query, i) => target(query, i, type)),
    fieldConfig: { defaults, overrides: spec.overrides ?? [] },
    options: { ...DEFAULT_OPTIONS[type], ...spec.options },
  };
  if (spec.transformations) p.transformations = spec.transformations;
  if (spec.timeFrom) p.timeFrom = spec.timeFrom;
  return { panel: p, w, h };
}

export const timeseries = (spec: PanelSpec, w = 12, h = 8): Sized => panel('timeseries', spec, w, h);
export const stat = (spec: PanelSpec, w = 4, h = 4): Sized => panel('stat', spec, w, h);
export const table = (spec: PanelSpec, w = 12, h = 10): Sized => panel('table', spec, w, h);
export const bargauge = (spec: PanelSpec, w = 12, h = 8): Sized => panel('bargauge', spec, w, h);
export const stateTimeline = (spec: PanelSpec, w = 24, h = 8): Sized => panel('state-timeline', spec, w, h);

/** A markdown text panel (no queries): the questions a dashboard answers, banners, help. */
export function text(title: string, description: string, content: string, w = 24, h = 4): Sized {
  return {
    panel: {
      type: 'text', title, description, datasource: DS, targets: [],
      fieldConfig: { defaults: {}, overrides: [] }, options: { mode: 'markdown', content, code: { language: 'plaintext', showLineNumbers: false, showMiniMap: false } },
    },
    w, h,
  };
}

// ---------------------------------------------------------------- layout

export interface Section {
  /** A row header above the panels (none for the top section). */
  row?: string;
  panels: Sized[];
}

/** Flows panels left to right in 24 columns, wrapping; numbers panel ids from 1 in order. */
export function layout(sections: readonly Section[]): (Panel | RowPanel)[] {
  const out: (Panel | RowPanel)[] = [];
  let id = 1;
  let y = 0;
  for (const section of sections) {
    if (section.row !== undefined) {
      out.push({ id: id++, type: 'row', title: section.row, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
      y += 1;
    }
    let x = 0;
    let rowHeight = 0;
    for (const { panel: p, w, h } of section.panels) {
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      out.push({ ...p, id: id++, gridPos: { x, y, w, h } } as Panel);
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return out;
}

// ---------------------------------------------------------------- variables

export const datasourceVariable = (): Variable => ({
  type: 'datasource', name: 'datasource', label: 'Prometheus data source', query: 'prometheus', refresh: 1, regex: '', hide: 0,
  current: { text: 'Mist WAN Prometheus', value: DATASOURCE_UID },
});

/** A query variable read from Prometheus, refreshed on time-range change (dashboard-linter's rule). */
export function queryVariable(name: string, label: string, query: string, extra: Partial<Variable> = {}): Variable {
  return {
    type: 'query', name, label, query, definition: query, datasource: DS, refresh: 2, sort: 7,
    multi: false, includeAll: false, regex: '', hide: 0, ...extra,
  };
}

/** job: the exporter scrape jobs (raw metrics only; recorded series fold job away). */
export const jobVariable = (): Variable =>
  queryVariable('job', 'Exporter job', 'label_values(mist_exporter_build_info, job)', { multi: true, includeAll: true, allValue: '.+' });

export const regionVariable = (): Variable =>
  queryVariable('region', 'Region', 'label_values(mist_site_info, region)', { multi: true, includeAll: true, allValue: '.*' });

/**
 * One site (no "All": thousands of sites), searchable in the picker by name; the value is the site id. Reads
 * `query_result` so the picker shows "name" and the URL carries the id.
 */
export const siteVariable = (): Variable => queryVariable('site_id', 'Site',
  'query_result(max by (site_id, site_name) (mist_site_info{region=~"$region"}))',
  { regex: '/site_id="(?<value>[^"]+)",site_name="(?<text>[^"]*)"/' });

/** One circuit (WAN port) of the site: text wan_name, value port_id. */
export const circuitVariable = (): Variable => queryVariable('port_id', 'Circuit',
  'query_result(max by (port_id, wan_name) (mist_wan_port_info{site_id="$site_id"}))',
  { regex: '/port_id="(?<value>[^"]+)",wan_name="(?<text>[^"]*)"/' });

/** A fixed list of values (Grafana custom variable), exactly one selected; no query, so nothing to refresh. */
export function customVariable(name: string, label: string, values: readonly string[], current: string): Variable {
  return {
    type: 'custom', name, label, query: values.join(','), multi: false, includeAll: false, hide: 0,
    current: { text: current, value: current },
    options: values.map((v) => ({ text: v, value: v, selected: v === current })),
  };
}

/** `level`: the threshold level (warning | major | critical) a time-above panel reads; default major. */
export const levelVariable = (current: Level = 'major'): Variable =>
  customVariable('level', 'Threshold level', ['warning', 'major', 'critical'], current);

// ---------------------------------------------------------------- dashboards

export interface DashboardSpec {
  uid: DashboardUid;
  title: string;
  /** The NOC questions the dashboard answers (shown at its top and in docs/dashboards.md). */
  questions: readonly string[];
  description: string;
  variables: Variable[];
  sections: Section[];
  time?: { from: string; to: string };
  refresh?: string;
  tags?: string[];
}

/** Title of the questions panel every dashboard opens with (docs/dashboards.md reads the questions from it). */
export const QUESTIONS_TITLE = 'What this dashboard answers';

/** The questions panel every dashboard opens with. */
const questionsPanel = (spec: DashboardSpec): Sized =>
  text(QUESTIONS_TITLE, 'The NOC questions this dashboard answers and where to go next (docs/dashboards.md).',
    spec.questions.map((x) => `- ${x}`).join('\n'), 24, Math.min(2 + spec.questions.length, 7));

export function dashboard(spec: DashboardSpec): Dashboard {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [TAG, ...(spec.tags ?? [])],
    timezone: 'utc',
    editable: false,
    graphTooltip: 1,
    liveNow: false,
    fiscalYearStartMonth: 0,
    schemaVersion: 41,
    version: 1,
    refresh: spec.refresh ?? '1m',
    time: spec.time ?? { from: 'now-24h', to: 'now' },
    timepicker: {},
    templating: { list: [datasourceVariable(), ...spec.variables] },
    annotations: { list: [] },
    links: [{
      title: 'Mist WAN dashboards', type: 'dashboards', tags: [TAG], asDropdown: true, icon: 'external link',
      includeVars: false, keepTime: true, targetBlank: false, tooltip: '', url: '',
    }],
    panels: layout([{ panels: [questionsPanel(spec)] }, ...spec.sections]),
  };
}

export { UID };
