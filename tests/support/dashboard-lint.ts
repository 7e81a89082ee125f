import { collectDefaultMetrics, Registry } from 'prom-client';
import { catalogueEntries } from '../../src/metrics/catalogue/index.js';
import { generateRuleFiles, type KpiConfig } from '../../src/rules/index.js';
import { isAlert } from '../../src/rules/types.js';
import type { Dashboard, DataLink, Panel, RowPanel, Variable } from '../../src/dashboards/grafana.js';
import {
  countersOutsideRate, metricNames, outputLabels, parsePromql, rateWithoutRateInterval, variableQueryPromql, variableRefs,
} from './promql-static.js';

/**
 * grafana/dashboard-linter's rules that fit this exporter (../shared/docs/tooling-notes.md §3.2–3.3), ported to
 * TypeScript over the generated dashboards, plus the cross-dashboard checks the drill-down needs (data links to
 * existing dashboards and their variables) and the "no data after a rename" check (every metric read is
 * declared). Each rule is a pure function of the dashboard set; tests/unit/dashboards-lint.test.ts runs them on
 * the shipped dashboards (no findings allowed) and on a hand-made bad dashboard per rule (its finding expected).
 *
 * Left out, with the reason: template-job-rule / target-job-rule / template-instance-rule / target-instance-rule
 * (recorded series fold job and instance away, sites are chosen by site labels; the raw-metric health board has
 * its own job variable), uneditable-dashboard (editable: false is checked by the schema test's envelope anyway).
 */

export interface Finding {
  readonly rule: RuleName;
  /** `<uid> panel <id> "<title>"`, `<uid> variable <name>`, … */
  readonly where: string;
  readonly message: string;
}

export interface LintContext {
  /** Every dashboard generated together (data links are checked against the set). */
  readonly boards: readonly Dashboard[];
  /** Metric and recorded-series names a query may read. */
  readonly declared: ReadonlySet<string>;
  /** Grafana's unit ids (units.jsonschema.json). */
  readonly units: ReadonlySet<string>;
  /** Labels of the catalogue's metrics (what a raw selector returns, beside job and instance). */
  readonly metricLabels: ReadonlyMap<string, readonly string[]>;
}

export type RuleName =
  | 'unique-panel-ids' | 'template-datasource' | 'panel-datasource' | 'target-datasource' | 'panel-units'
  | 'panel-title-description' | 'panel-no-targets' | 'target-promql' | 'target-rate-interval' | 'target-counter-agg'
  | 'template-refresh' | 'template-datasource-ref' | 'template-promql' | 'template-regex' | 'template-no-all-site' | 'variables-defined'
  | 'link-target' | 'link-fields' | 'legend-labels' | 'table-sort' | 'metrics-declared';

/** Grafana's global and per-panel variables (grafana.com/docs/grafana/latest/dashboards/variables/add-template-variables/#global-variables). */
const BUILTIN_VARIABLES = new Set([
  '__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms', '__from', '__to', '__url_time_range',
  '__data', '__field', '__value', '__series', '__dashboard', '__org', '__user', '__all_variables', '__timezone', 'timeFilter', '__timeFilter',
]);

/** The site variable: thousands of values, never "All". */
export const SITE_VARIABLE = 'site_id';

const DS_REFS = new Set(['${datasource}', '$datasource']);

/** Custom units Grafana accepts beside its unit ids: `suffix:x`, `prefix:x`, `si:x`, `count:x`, `currency:x`, `time:x`. */
const CUSTOM_UNIT = /^(suffix|prefix|si|count|currency|time):.+/;

type AnyPanel = Panel | RowPanel;
const isRow = (p: AnyPanel): p is RowPanel => p.type === 'row';

/** Every panel, rows' collapsed children included. */
export function allPanels(d: Dashboard): AnyPanel[] {
  return d.panels.flatMap((p) => (isRow(p) ? [p, ...p.panels] : [p]));
}
const contentPanels = (d: Dashboard): Panel[] => allPanels(d).filter((p): p is Panel => !isRow(p));

const at = (d: Dashboard, p: AnyPanel): string => `${d.uid} panel ${p.id} "${p.title}"`;
const atVar = (d: Dashboard, v: Variable): string => `${d.uid} variable ${v.name}`;

/** Every data link of a panel: field defaults, overrides' `links` properties, panel links. */
export function panelLinks(p: Panel): DataLink[] {
  const fromOverrides = p.fieldConfig.overrides.flatMap((o) => o.properties.filter((x) => x.id === 'links').flatMap((x) => (Array.isArray(x.value) ? x.value as DataLink[] : [])));
  return [...(p.fieldConfig.defaults.links ?? []), ...fromOverrides, ...(p.links ?? [])];
}

/** The PromQL of a query variable, or null when it reads none (a datasource/custom variable, `label_values(label)`). */
export const variablePromql = (v: Variable): string | null => (v.type === 'query' ? variableQueryPromql(v.query) : null);

type Rule = (d: Dashboard, ctx: LintContext) => Omit<Finding, 'rule'>[];

const RULES: Readonly<Record<RuleName, Rule>> = {
  'unique-panel-ids': (d) => {
    const seen = new Map<number, string>();
    return allPanels(d).flatMap((p) => {
      const before = seen.get(p.id);
      seen.set(p.id, p.title);
      return before === undefined ? [] : [{ where: at(d, p), message: `panel id ${p.id} also used by "${before}"` }];
    });
  },

  'template-datasource': (d) => {
    const v = d.templating.list.find((x) => x.name === 'datasource');
    if (!v || v.type !== 'datasource' || v.query !== 'prometheus') return [{ where: `${d.uid} templating`, message: 'no `datasource` variable of type datasource over prometheus' }];
    return v.label === 'Prometheus data source' ? [] : [{ where: atVar(d, v), message: `label "${v.label}", expected "Prometheus data source"` }];
  },

  'panel-datasource': (d) => contentPanels(d).filter((p) => !DS_REFS.has(p.datasource.uid))
    .map((p) => ({ where: at(d, p), message: `datasource uid ${p.datasource.uid}, not the datasource variable` })),

  'target-datasource': (d) => contentPanels(d).flatMap((p) => p.targets.filter((t) => !DS_REFS.has(t.datasource.uid))
    .map((t) => ({ where: `${at(d, p)} target ${t.refId}`, message: `datasource uid ${t.datasource.uid}, not the datasource variable` }))),

  'panel-units': (d, ctx) => contentPanels(d).filter((p) => p.type !== 'text').flatMap((p) => {
    const units: [string, unknown][] = [['fieldConfig.defaults.unit', p.fieldConfig.defaults.unit],
      ...p.fieldConfig.overrides.flatMap((o) => o.properties.filter((x) => x.id === 'unit').map((x) => [`override ${JSON.stringify(o.matcher.options)} unit`, x.value] as [string, unknown]))];
    return units.filter(([, u]) => typeof u !== 'string' || !(ctx.units.has(u) || CUSTOM_UNIT.test(u)))
      .map(([where, u]) => ({ where: at(d, p), message: `${where} ${JSON.stringify(u)} is not a Grafana unit` }));
  }),

  'panel-title-description': (d) => allPanels(d).flatMap((p) => {
    const out: Omit<Finding, 'rule'>[] = [];
    if (!p.title.trim()) out.push({ where: at(d, p), message: 'no title' });
    if (!isRow(p) && !p.description.trim()) out.push({ where: at(d, p), message: 'no description' });
    return out;
  }),

  'panel-no-targets': (d) => contentPanels(d).filter((p) => p.type !== 'text' && p.targets.length === 0)
    .map((p) => ({ where: at(d, p), message: 'no queries' })),

  'target-promql': (d) => contentPanels(d).flatMap((p) => p.targets.flatMap((t) =>
    parsePromql(t.expr).errors.map((e) => ({ where: `${at(d, p)} target ${t.refId}`, message: `${e} in ${t.expr}` })))),

  'target-rate-interval': (d) => contentPanels(d).flatMap((p) => p.targets.flatMap((t) =>
    rateWithoutRateInterval(parsePromql(t.expr)).map((call) => ({ where: `${at(d, p)} target ${t.refId}`, message: `${call} does not range over $__rate_interval` })))),

  'target-counter-agg': (d) => {
    const exprs: [string, string][] = [
      ...contentPanels(d).flatMap((p) => p.targets.map((t) => [`${at(d, p)} target ${t.refId}`, t.expr] as [string, string])),
      ...d.templating.list.flatMap((v) => (v.type === 'query' && /^\s*query_result\s*\(/.test(v.query) ? [[atVar(d, v), variablePromql(v)!] as [string, string]] : [])),
    ];
    return exprs.flatMap(([where, expr]) => countersOutsideRate(parsePromql(expr)).map((name) =>
      ({ where, message: `counter ${name} read outside rate/irate/increase` })));
  },

  'template-refresh': (d) => d.templating.list.filter((v) => v.type === 'query' && v.refresh !== 2)
    .map((v) => ({ where: atVar(d, v), message: `refresh ${String(v.refresh)}, expected 2 (on time range change)` })),

  'template-datasource-ref': (d) => d.templating.list.filter((v) => v.type === 'query' && !DS_REFS.has(v.datasource?.uid ?? ''))
    .map((v) => ({ where: atVar(d, v), message: `datasource ${JSON.stringify(v.datasource)}, not the datasource variable` })),

  'template-promql': (d) => d.templating.list.flatMap((v) => {
    if (v.type !== 'query') return [];
    const expr = variablePromql(v);
    if (expr === null) return /^\s*label_values\s*\(\s*\w+\s*\)\s*$/.test(v.query) ? [] : [{ where: atVar(d, v), message: `unrecognised variable query ${v.query}` }];
    return parsePromql(expr).errors.map((e) => ({ where: atVar(d, v), message: `${e} in ${v.query}` }));
  }),

  'template-regex': (d, ctx) => d.templating.list.flatMap((v) => {
    if (v.type !== 'query' || !v.regex) return [];
    const m = /^\/(.*)\/([gimsuy]*)$/.exec(v.regex);
    if (!m) return [{ where: atVar(d, v), message: `regex ${v.regex} is not /…/` }];
    try { new RegExp(m[1]!, m[2]); } catch (err) { return [{ where: atVar(d, v), message: `regex does not compile: ${(err as Error).message}` }]; }
    const out: Omit<Finding, 'rule'>[] = [];
    if (!/\(\?<value>/.test(m[1]!)) out.push({ where: atVar(d, v), message: 'regex has no (?<value>…) group' });
    const promql = variablePromql(v);
    if (promql === null || !/^\s*query_result\s*\(/.test(v.query)) return out;
    // Grafana prints a query_result series as {a="…",b="…"} with Prometheus' label order (sorted by name).
    const named = [...m[1]!.matchAll(/([A-Za-z_]\w*)="/g)].map((x) => x[1]!);
    const labels = outputLabels(parsePromql(promql), (x) => ctx.metricLabels.get(x));
    for (const l of named) if (labels !== null && !labels.has(l)) out.push({ where: atVar(d, v), message: `regex reads label ${l}, which the query does not return` });
    if (named.join(',') !== [...named].sort().join(',')) out.push({ where: atVar(d, v), message: `regex expects labels in the order ${named.join(', ')}; Grafana prints them sorted by name` });
    return out;
  }),

  'template-no-all-site': (d) => d.templating.list.filter((v) => v.name === SITE_VARIABLE && (v.includeAll || v.multi))
    .map((v) => ({ where: atVar(d, v), message: '"All"/multi over thousands of sites (one site at a time)' })),

  'variables-defined': (d) => {
    const out: Omit<Finding, 'rule'>[] = [];
    const names = d.templating.list.map((v) => v.name);
    const known = (name: string, before: readonly string[]): boolean => BUILTIN_VARIABLES.has(name) || before.includes(name);
    d.templating.list.forEach((v, i) => {
      for (const ref of variableRefs(`${v.query} ${v.regex ?? ''}`)) {
        if (!known(ref, names.slice(0, i))) out.push({ where: atVar(d, v), message: `reads $${ref}, ${names.includes(ref) ? 'defined after it' : 'not a variable of this dashboard'}` });
      }
    });
    for (const p of contentPanels(d)) {
      const texts = [p.title, ...p.targets.flatMap((t) => [t.expr, t.legendFormat ?? '']), ...panelLinks(p).flatMap((l) => [l.url, l.title])];
      for (const ref of new Set(texts.flatMap(variableRefs))) {
        if (!known(ref, names)) out.push({ where: at(d, p), message: `reads $${ref}, not a variable of this dashboard` });
      }
    }
    return out;
  },

  'link-target': (d, ctx) => contentPanels(d).flatMap((p) => panelLinks(p).flatMap((l) => linkProblems(l, ctx).map((m) => ({ where: at(d, p), message: `link "${l.title}": ${m}` })))),

  'link-fields': (d, ctx) => contentPanels(d).flatMap((p) => {
    const hidden = new Set(p.transformations?.filter((t) => t.id === 'organize')
      .flatMap((t) => Object.entries((t.options.excludeByName ?? {}) as Record<string, boolean>).filter(([, x]) => x).map(([k]) => k)) ?? []);
    const fields = panelLinks(p).flatMap((l) => [...l.url.matchAll(/\$\{__data\.fields\.([^}:]+)\}/g)].map((m) => [l, m[1]!] as const)
      .filter(([, f]) => hidden.has(f) || !fieldMayExist(f, p, ctx))
      .map(([, f]) => ({ where: at(d, p), message: `link "${l.title}" reads field ${f}, ${hidden.has(f) ? 'which an organize transformation removes (hide it with an override instead)' : 'which no query of the panel returns'}` })));
    const labels = panelLinks(p).flatMap((l) => [...l.url.matchAll(/\$\{__field\.labels\.([^}:]+)\}/g)].map((m) => m[1]!)
      .filter((f) => !p.targets.some((t) => { const o = outputLabels(parsePromql(t.expr), (m) => ctx.metricLabels.get(m)); return o === null || o.has(f); }))
      .map((f) => ({ where: at(d, p), message: `link "${l.title}" reads series label ${f}, which no query of the panel returns` })));
    return [...fields, ...labels];
  }),

  'legend-labels': (d, ctx) => contentPanels(d).flatMap((p) => p.targets.flatMap((t) => {
    const wanted = [...(t.legendFormat ?? '').matchAll(/\{\{\s*([A-Za-z_]\w*)\s*\}\}/g)].map((m) => m[1]!);
    if (wanted.length === 0) return [];
    const labels = outputLabels(parsePromql(t.expr), (m) => ctx.metricLabels.get(m));
    return labels === null ? [] : wanted.filter((l) => !labels.has(l))
      .map((l) => ({ where: `${at(d, p)} target ${t.refId}`, message: `legend {{${l}}} names a label the query does not return` }));
  })),

  'table-sort': (d, ctx) => contentPanels(d).filter((p) => p.type === 'table').flatMap((p) => {
    const sortBy = (p.options.sortBy ?? []) as { displayName?: string }[];
    const titles = new Set([
      ...p.fieldConfig.overrides.flatMap((o) => o.properties.filter((x) => x.id === 'displayName').map((x) => String(x.value))),
      ...(p.transformations?.flatMap((t) => Object.values((t.options.renameByName ?? {}) as Record<string, string>)) ?? []),
      ...(p.fieldConfig.defaults.displayName ? [p.fieldConfig.defaults.displayName] : []),
    ]);
    return sortBy.flatMap(({ displayName: name }) => {
      if (!name) return [{ where: at(d, p), message: 'sortBy entry without a displayName' }];
      if (titles.has(name) || /^Value( #[A-Z])?$/.test(name) || fieldMayExist(name, p, ctx)) return [];
      return [{ where: at(d, p), message: `sorted by "${name}", which is no column of the table: Grafana would leave it unsorted` }];
    });
  }),

  'metrics-declared': (d, ctx) => {
    const exprs: [string, string][] = [
      ...contentPanels(d).flatMap((p) => p.targets.map((t) => [`${at(d, p)} target ${t.refId}`, t.expr] as [string, string])),
      ...d.templating.list.flatMap((v) => { const e = variablePromql(v); return e === null ? [] : [[atVar(d, v), e] as [string, string]]; }),
    ];
    return exprs.flatMap(([where, expr]) => metricNames(parsePromql(expr)).filter((n) => !ctx.declared.has(n))
      .map((n) => ({ where, message: `reads ${n}, declared by neither the metric catalogue nor the rules` })));
  },
};

export const RULE_NAMES = Object.keys(RULES) as RuleName[];

/**
 * A field a `${__data.fields.X}` link reads must be something a query returns: a label of some query's result
 * (from its `by (…)`, `group_left (…)`, the catalogue labels of a raw selector; any label where the expression
 * cannot tell), a value column (`Value`, `Value #A`) or a renamed column.
 */
function fieldMayExist(field: string, p: Panel, ctx: LintContext): boolean {
  if (/^Value( #[A-Z])?$/.test(field)) return true;
  const renamed = p.transformations?.flatMap((t) => Object.values((t.options.renameByName ?? {}) as Record<string, string>)) ?? [];
  if (renamed.includes(field)) return true;
  return p.targets.some((t) => {
    const labels = outputLabels(parsePromql(t.expr), (m) => ctx.metricLabels.get(m));
    return labels === null || labels.has(field);
  });
}

/**
 * A link must open one of our dashboards (`/d/<uid>?…`) by a uid that exists, set only variables that dashboard
 * defines (`var-<name>=…`), carry the datasource and the time range. External links (http/https) are allowed.
 */
export function linkProblems(link: DataLink, ctx: LintContext): string[] {
  if (/^https?:\/\//.test(link.url)) return [];
  const m = /^\/d\/([^/?]+)(?:\/[^?]*)?(?:\?(.*))?$/.exec(link.url);
  if (!m) return [`url ${link.url} is neither /d/<uid>?… nor http(s)`];
  const target = ctx.boards.find((b) => b.uid === m[1]);
  if (!target) return [`no generated dashboard has uid ${m[1]}`];
  const params = (m[2] ?? '').split('&').filter(Boolean);
  const names = new Set(target.templating.list.map((v) => v.name));
  const out = params.flatMap((q) => {
    const v = /^var-([^=]+)=/.exec(q);
    return v && !names.has(v[1]!) ? [`sets var-${v[1]}, which ${target.uid} does not define`] : [];
  });
  if (!params.includes('${__url_time_range}')) out.push('does not carry the time range (${__url_time_range})');
  if (!params.some((q) => q.startsWith('var-datasource='))) out.push('does not carry the datasource (var-datasource=…)');
  return out;
}

export function lintDashboard(d: Dashboard, ctx: LintContext, only?: readonly RuleName[]): Finding[] {
  return (only ?? RULE_NAMES).flatMap((rule) => RULES[rule](d, ctx).map((f) => ({ rule, ...f })));
}

export const formatFinding = (f: Finding): string => `[${f.rule}] ${f.where}: ${f.message}`;


/** Series Prometheus itself makes that a dashboard may read: alerts and the scrape's own series. */
export const PROMETHEUS_SERIES = ['ALERTS', 'ALERTS_FOR_STATE', 'up', 'scrape_duration_seconds', 'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;

/**
 * prom-client's default process_* and nodejs_* metrics the exporter serves beside the catalogue
 * (src/server/exporter.ts: collectDefaultMetrics, minus the gauges named `_total` it removes); histograms as
 * their _bucket/_sum/_count series.
 */
export function promClientDefaults(): string[] {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry.getMetricsAsArray().flatMap((m) => {
    const type = (m as unknown as { type: string }).type;
    if (type === 'gauge' && m.name.endsWith('_total')) return [];
    return type === 'histogram' ? ['_bucket', '_sum', '_count'].map((x) => `${m.name}${x}`) : [m.name];
  });
}

/** Every name a dashboard may read: the metric catalogue, the records of the rules generated from `kpi`, Prometheus' own, prom-client's defaults. */
export function declaredSeries(kpi: KpiConfig): Set<string> {
  const records = generateRuleFiles(kpi).flatMap((f) => f.groups.flatMap((g) => g.rules.flatMap((r) => (isAlert(r) ? [] : [r.record]))));
  return new Set([...catalogueEntries().map((e) => e.name), ...records, ...PROMETHEUS_SERIES, ...promClientDefaults()]);
}

/** The catalogue's labels per metric name. */
export const catalogueLabels = (): Map<string, readonly string[]> => new Map(catalogueEntries().map((e) => [e.name, e.labels]));

/** The lint context of a generated set (what the tests use). */
export const lintContext = (kpi: KpiConfig, boards: readonly Dashboard[], units: ReadonlySet<string>): LintContext =>
  ({ boards, declared: declaredSeries(kpi), units, metricLabels: catalogueLabels() });
