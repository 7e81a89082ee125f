import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  circuitVariable, dashboard, drill, q, regionVariable, siteVariable, stat, table, text, timeseries,
} from '../../src/dashboards/build.js';
import type { Dashboard, Panel, Variable } from '../../src/dashboards/grafana.js';
import { columnLinks, columnUnit, organize, R } from '../../src/dashboards/queries.js';
import { drillEdges } from '../../src/dashboards/docs.js';
import { generateDashboards, UID } from '../../src/dashboards/index.js';
import { loadKpiConfig } from '../../src/rules/index.js';
import {
  allPanels, formatFinding, lintContext, lintDashboard, RULE_NAMES, type RuleName,
} from '../support/dashboard-lint.js';
import { loadGrafanaSchemas } from '../support/grafana-schema.js';
import { outputLabels, parsePromql, substituteVariables, variableQueryPromql } from '../support/promql-static.js';

/**
 * grafana/dashboard-linter's rules, ported (tests/support/dashboard-lint.ts), over every generated dashboard: no
 * finding is allowed. Each rule is shown to bite on a hand-made bad dashboard (a good pair of dashboards built with
 * the same builders, then one thing broken).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KPI = loadKpiConfig(join(ROOT, 'prometheus/kpi-config.yml'));
const units = loadGrafanaSchemas().units;
const shipped = generateDashboards(KPI);
const compressed = generateDashboards(KPI, { timeScale: 1 / 30 });

describe('lint of the generated dashboards', () => {
  const ctx = lintContext(KPI, shipped, units);

  it.each(shipped.map((d) => [d.uid, d] as const))('%s: no finding', (_uid, d) => {
    expect(lintDashboard(d, ctx).map(formatFinding)).toEqual([]);
  });

  it.each(compressed.map((d) => [d.uid, d] as const))('%s (time-compressed copy): no finding', (_uid, d) => {
    expect(lintDashboard(d, { ...ctx, boards: compressed }).map(formatFinding)).toEqual([]);
  });

  it('the dashboards read series: every panel but text has a query, and the names they read are many', () => {
    const targets = shipped.flatMap((d) => allPanels(d).flatMap((p) => (p.type === 'row' ? [] : (p as Panel).targets)));
    expect(targets.length).toBeGreaterThan(2);
    for (const t of targets) expect(parsePromql(t.expr).errors, t.expr).toEqual([]);
  });

  it('the drill-down: overview and NOC → region → site → circuit, each link setting the ids its target reads', () => {
    const edges = drillEdges(shipped).filter((e) => e.from !== e.to);
    const has = (from: string, to: string): boolean => edges.some((e) => e.from === from && e.to === to);
    expect(shipped.map((d) => d.uid).sort()).toEqual(Object.values(UID).sort());
    for (const [from, to] of [[UID.overview, UID.region], [UID.noc, UID.site], [UID.noc, UID.circuit], [UID.region, UID.site], [UID.site, UID.circuit]] as const) {
      expect(has(from, to), `${from} → ${to}`).toBe(true);
    }
    const needs: Readonly<Record<string, readonly string[]>> = { [UID.region]: ['region'], [UID.site]: ['site_id'], [UID.circuit]: ['site_id', 'port_id'] };
    for (const e of edges) for (const v of needs[e.to] ?? []) expect(e.vars, `${e.from} "${e.panel}" → ${e.to}`).toContain(v);
  });

  it('threshold colours come from the KPI config the rules are generated from (none hard-coded)', () => {
    const odd = {
      utilization: { warning: 0.61, major: 0.73, critical: 0.87 }, loss_ratio: { warning: 0.0021, major: 0.0061, critical: 0.0113 },
      latency_seconds: { warning: 0.061, major: 0.113, critical: 0.171 }, jitter_seconds: { warning: 0.011, major: 0.031, critical: 0.053 },
    };
    const stepSets = (boards: readonly Dashboard[], uid?: string): Set<string> => new Set(boards.filter((d) => !uid || d.uid === uid).flatMap((d) => panelsOf(d).flatMap((p) => [
      p.fieldConfig.defaults.thresholds, ...p.fieldConfig.overrides.flatMap((o) => o.properties.filter((x) => x.id === 'thresholds').map((x) => x.value as Panel['fieldConfig']['defaults']['thresholds'])),
    ].flatMap((t) => (t ? [t.steps.flatMap((x) => (x.value === null ? [] : [x.value])).join(',')] : [])))));
    const triple = (l: { warning: number; major: number; critical: number }): string => `${l.warning},${l.major},${l.critical}`;
    const changed = generateDashboards({ ...KPI, thresholds: odd });
    for (const [kpi, levels] of Object.entries(odd)) {
      expect(stepSets(changed), kpi).toContain(triple(levels));
      expect(stepSets(shipped), kpi).toContain(triple(KPI.thresholds[kpi as keyof typeof odd]));
      expect(stepSets(changed), `${kpi}: shipped levels left in a dashboard`).not.toContain(triple(KPI.thresholds[kpi as keyof typeof odd]));
    }
    for (const uid of [UID.noc, UID.circuit]) expect(stepSets(changed, uid), uid).toContain(triple(odd.utilization));
  });

  it('dashboard uids and titles are distinct, every title is under "Mist WAN /"', () => {
    expect(new Set(shipped.map((d) => d.uid)).size).toBe(shipped.length);
    expect(new Set(shipped.map((d) => d.title)).size).toBe(shipped.length);
    for (const d of shipped) expect(d.title).toMatch(/^Mist WAN \/ /);
  });
});

// ---------------------------------------------------------------- the rules bite

const SPEC = { title: 'x', description: 'y', unit: 'short' };
const RX = 'mist_wan_port_receive_bytes_total';

/** A pair of small, clean dashboards: a site board linking to a circuit board. */
function goodPair(): [Dashboard, Dashboard] {
  const site = dashboard({
    uid: UID.site, title: 'Mist WAN / Site', description: 'd', questions: ['How is the site?'],
    variables: [regionVariable(), siteVariable(), circuitVariable()],
    sections: [{
      row: 'Circuits',
      panels: [
        table({
          ...SPEC, title: 'Circuits', unit: 'percentunit',
          queries: [q(`max by (org_id, site_id, port_id) (${R.utilization5m}{site_id="$site_id"})`)],
          transformations: [organize(['org_id'])],
          overrides: [columnUnit('Value', 'percentunit'),
            columnLinks('port_id', [drill('Open circuit', UID.circuit, { site_id: '${__data.fields.site_id}', port_id: '${__data.fields.port_id}' })])],
        }),
        timeseries({ ...SPEC, title: 'Receive', unit: 'Bps', queries: [q(`sum by (port_id) (rate(${RX}{site_id="$site_id"}[$__rate_interval]))`)] }),
        stat({ ...SPEC, title: 'Up', unit: 'none', queries: [q(`count(up{job=~".+"} == 1) or vector(0)`)],
          links: [drill('Circuit', UID.circuit, { site_id: '${site_id}', port_id: '${port_id}' })] }),
        text('Help', 'A note', 'text'),
      ],
    }],
  });
  const circuit = dashboard({
    uid: UID.circuit, title: 'Mist WAN / Circuit', description: 'd', questions: ['How is the circuit?'],
    variables: [regionVariable(), siteVariable(), circuitVariable()],
    sections: [{ panels: [timeseries({ ...SPEC, title: 'Utilization', unit: 'percentunit', queries: [q(`${R.utilization5m}{site_id="$site_id", port_id="$port_id"}`)] })] }],
  });
  return [site, circuit];
}

const lint = (pair: readonly Dashboard[]): ReturnType<typeof lintDashboard> =>
  pair.flatMap((d) => lintDashboard(d, lintContext(KPI, pair, units)));

const panelsOf = (d: Dashboard): Panel[] => allPanels(d).filter((p): p is Panel => p.type !== 'row');
const byTitle = (d: Dashboard, title: string): Panel => {
  const p = panelsOf(d).find((x) => x.title === title);
  if (!p) throw new Error(`no panel ${title}`);
  return p;
};
const variable = (d: Dashboard, name: string): Variable => {
  const v = d.templating.list.find((x) => x.name === name);
  if (!v) throw new Error(`no variable ${name}`);
  return v;
};

interface Bad { rule: RuleName; name: string; breakIt: (site: Dashboard, circuit: Dashboard) => void; message: RegExp; onlyThisRule?: false }

const BAD: readonly Bad[] = [
  { rule: 'unique-panel-ids', name: 'two panels share an id', message: /panel id \d+ also used by/,
    breakIt: (s) => { byTitle(s, 'Up').id = byTitle(s, 'Receive').id; } },
  { rule: 'template-datasource', name: 'the datasource variable is mislabelled', message: /expected "Prometheus data source"/,
    breakIt: (s) => { variable(s, 'datasource').label = 'DS'; } },
  { rule: 'template-datasource', name: 'no datasource variable', message: /no `datasource` variable/, onlyThisRule: false,
    breakIt: (s) => { s.templating.list = s.templating.list.filter((v) => v.name !== 'datasource'); } },
  { rule: 'panel-datasource', name: 'a panel names the datasource by uid', message: /datasource uid mist-wan-prometheus/,
    breakIt: (s) => { byTitle(s, 'Receive').datasource = { type: 'prometheus', uid: 'mist-wan-prometheus' }; } },
  { rule: 'target-datasource', name: 'a target names the datasource by uid', message: /target A: datasource uid mist-wan-prometheus/,
    breakIt: (s) => { byTitle(s, 'Receive').targets[0]!.datasource = { type: 'prometheus', uid: 'mist-wan-prometheus' }; } },
  { rule: 'panel-units', name: 'a panel without a unit', message: /fieldConfig.defaults.unit undefined is not a Grafana unit/,
    breakIt: (s) => { delete byTitle(s, 'Receive').fieldConfig.defaults.unit; } },
  { rule: 'panel-units', name: 'a unit Grafana does not know', message: /"bytes_per_sec" is not a Grafana unit/,
    breakIt: (s) => { byTitle(s, 'Receive').fieldConfig.defaults.unit = 'bytes_per_sec'; } },
  { rule: 'panel-units', name: 'a column unit Grafana does not know', message: /override "Value" unit "ratio" is not a Grafana unit/,
    breakIt: (s) => { byTitle(s, 'Circuits').fieldConfig.overrides[0] = columnUnit('Value', 'ratio'); } },
  { rule: 'panel-title-description', name: 'a panel without a description', message: /no description/,
    breakIt: (s) => { byTitle(s, 'Up').description = ' '; } },
  { rule: 'panel-title-description', name: 'a panel without a title', message: /no title/,
    breakIt: (s) => { byTitle(s, 'Up').title = ''; } },
  { rule: 'panel-no-targets', name: 'a stat without a query', message: /no queries/,
    breakIt: (s) => { byTitle(s, 'Up').targets = []; } },
  { rule: 'target-promql', name: 'a query that does not parse', message: /syntax error at \d+: .*⟨here⟩/,
    breakIt: (s) => { byTitle(s, 'Receive').targets[0]!.expr = `sum by (port_id (rate(${RX}[$__rate_interval]))`; } },
  { rule: 'target-rate-interval', name: 'rate over a fixed range', message: /rate\(mist_wan_port_receive_bytes_total\{site_id="x"\}\[5m\]\) does not range over \$__rate_interval/,
    breakIt: (s) => { byTitle(s, 'Receive').targets[0]!.expr = `sum by (port_id) (rate(${RX}{site_id="$site_id"}[5m]))`; } },
  { rule: 'target-rate-interval', name: 'increase over the dashboard range', message: /increase\(.*\) does not range over/,
    breakIt: (s) => { byTitle(s, 'Receive').targets[0]!.expr = `sum(increase(${RX}[$__range]))`; } },
  { rule: 'target-counter-agg', name: 'a counter compared raw', message: /counter mist_wan_port_receive_bytes_total read outside rate/,
    breakIt: (s) => { byTitle(s, 'Receive').targets[0]!.expr = `${RX}{site_id="$site_id"} > 0`; } },
  { rule: 'target-counter-agg', name: 'a counter under max_over_time', message: /counter mist_wan_port_receive_bytes_total read outside rate/,
    breakIt: (s) => { byTitle(s, 'Receive').targets[0]!.expr = `max_over_time(${RX}[$__rate_interval])`; } },
  { rule: 'template-refresh', name: 'a query variable refreshed on load only', message: /refresh 1, expected 2/,
    breakIt: (s) => { variable(s, 'region').refresh = 1; } },
  { rule: 'template-datasource-ref', name: 'a variable reading a fixed datasource', message: /not the datasource variable/,
    breakIt: (s) => { variable(s, 'region').datasource = { type: 'prometheus', uid: 'mist-wan-prometheus' }; } },
  { rule: 'template-promql', name: 'a variable query that does not parse', message: /syntax error/,
    breakIt: (s) => { variable(s, 'region').query = 'label_values(mist_site_info{region!=""} ==, region)'; } },
  { rule: 'template-regex', name: 'a query_result regex expecting labels out of Prometheus order', message: /Grafana prints them sorted by name/,
    breakIt: (s) => { variable(s, 'site_id').regex = '/site_name="(?<text>[^"]*)",site_id="(?<value>[^"]+)"/'; } },
  { rule: 'template-regex', name: 'a query_result regex reading a label the query drops', message: /regex reads label wan_name, which the query does not return/,
    breakIt: (s) => { variable(s, 'port_id').query = 'query_result(max by (port_id) (mist_wan_port_info{site_id="$site_id"}))'; } },
  { rule: 'template-regex', name: 'a regex that does not compile', message: /regex does not compile/,
    breakIt: (s) => { variable(s, 'site_id').regex = '/site_id="(?<value>[^"]+"/'; } },
  { rule: 'template-no-all-site', name: '"All" on the site variable', message: /"All"\/multi over thousands of sites/,
    breakIt: (s) => { Object.assign(variable(s, 'site_id'), { includeAll: true, allValue: '.*' }); } },
  { rule: 'variables-defined', name: 'a query reading a variable the dashboard lacks', message: /reads \$level, not a variable of this dashboard/,
    breakIt: (s) => { byTitle(s, 'Receive').targets[0]!.expr = `sum(${R.utilizationBreach}{level="$level"})`; } },
  { rule: 'variables-defined', name: 'a variable reading one defined after it', message: /variable site_id: reads \$region, defined after it/,
    breakIt: (s) => { const [ds, region, site, port] = s.templating.list; s.templating.list = [ds!, site!, region!, port!]; } },
  { rule: 'link-target', name: 'a link to a dashboard that does not exist', message: /no generated dashboard has uid mist-wan-nowhere/,
    breakIt: (s) => { byTitle(s, 'Up').fieldConfig.defaults.links![0]!.url = '/d/mist-wan-nowhere?var-datasource=${datasource}&${__url_time_range}'; } },
  { rule: 'link-target', name: 'a link setting a variable the target lacks', message: /sets var-level, which mist-wan-circuit does not define/,
    breakIt: (s) => { byTitle(s, 'Up').fieldConfig.defaults.links![0] = drill('Circuit', UID.circuit, { site_id: '${site_id}', level: 'major' }); } },
  { rule: 'template-promql', name: 'a variable query of an unknown form', message: /unrecognised variable query/,
    breakIt: (s) => { variable(s, 'region').query = 'label_values(mist_site_info{region!="", region)'; } },
  { rule: 'link-target', name: 'a link dropping the time range', message: /does not carry the time range/,
    breakIt: (s) => { const l = byTitle(s, 'Up').fieldConfig.defaults.links![0]!; l.url = l.url.replace('&${__url_time_range}', ''); } },
  { rule: 'link-target', name: 'a link dropping the datasource', message: /does not carry the datasource/,
    breakIt: (s) => { const l = byTitle(s, 'Up').fieldConfig.defaults.links![0]!; l.url = l.url.replace('var-datasource=${datasource}&', ''); } },
  { rule: 'link-fields', name: 'a link reading a column an organize step removes', message: /reads field site_id, which an organize transformation removes/,
    breakIt: (s) => { byTitle(s, 'Circuits').transformations = [organize(['org_id', 'site_id'])]; } },
  { rule: 'link-fields', name: 'a link reading a column no query returns', message: /reads field port_id, which no query of the panel returns/,
    breakIt: (s) => { byTitle(s, 'Circuits').targets[0]!.expr = `max by (org_id, site_id) (${R.utilization5m}{site_id="$site_id"})`; } },
  { rule: 'link-fields', name: 'a series link reading a label the aggregation dropped', message: /reads series label site_id, which no query of the panel returns/,
    breakIt: (s) => { byTitle(s, 'Receive').fieldConfig.defaults.links = [drill('Circuit', UID.circuit, { site_id: '${__field.labels.site_id}', port_id: '${__field.labels.port_id}' })]; } },
  { rule: 'table-sort', name: 'a table sorted by a column it does not have', message: /sorted by "Utilisation", which is no column of the table/,
    breakIt: (s) => { byTitle(s, 'Circuits').options.sortBy = [{ displayName: 'Utilisation', desc: true }]; } },
  { rule: 'legend-labels', name: 'a legend naming a label the aggregation dropped', message: /legend \{\{site_name\}\} names a label the query does not return/,
    breakIt: (s) => { byTitle(s, 'Receive').targets[0]!.legendFormat = '{{site_name}} {{port_id}}'; } },
  { rule: 'metrics-declared', name: 'a misspelt metric', message: /reads mist_wan_port_recieve_bytes_total, declared by neither/,
    breakIt: (s) => { byTitle(s, 'Receive').targets[0]!.expr = `sum(rate(mist_wan_port_recieve_bytes_total[$__rate_interval]))`; } },
  { rule: 'metrics-declared', name: 'a recorded name the rules do not record', message: /reads site_circuit:mist_wan_utilization:ratio10m/,
    breakIt: (_s, c) => { panelsOf(c)[1]!.targets[0]!.expr = 'site_circuit:mist_wan_utilization:ratio10m{site_id="$site_id"}'; } },
  { rule: 'metrics-declared', name: 'a variable query reading an undeclared metric', message: /variable region: reads mist_site_infos/,
    breakIt: (s) => { variable(s, 'region').query = 'label_values(mist_site_infos, region)'; } },
];

describe('each lint rule bites on a bad dashboard', () => {
  it('the good pair is clean', () => {
    expect(lint(goodPair()).map(formatFinding)).toEqual([]);
  });

  it('every rule has a bad example', () => {
    expect(new Set(BAD.map((b) => b.rule))).toEqual(new Set(RULE_NAMES));
  });

  it.each(BAD.map((b) => [b.rule, b.name, b] as const))('%s: %s', (rule, _name, bad) => {
    const [site, circuit] = goodPair();
    bad.breakIt(site, circuit);
    const findings = lint([site, circuit]);
    const mine = findings.filter((f) => f.rule === rule);
    expect(mine.map(formatFinding).join('\n')).toMatch(bad.message);
    if (bad.onlyThisRule !== false) expect(findings.map(formatFinding)).toEqual(mine.map(formatFinding));
  });
});

describe('PromQL helpers', () => {
  it('unwrap variable queries', () => {
    expect(variableQueryPromql('label_values(mist_site_info{region=~"a,b"}, region)')).toBe('mist_site_info{region=~"a,b"}');
    expect(variableQueryPromql('query_result(max by (a) (x))')).toBe('max by (a) (x)');
    expect(variableQueryPromql('label_values(region)')).toBeNull();
    expect(variableQueryPromql('up')).toBe('up');
  });

  it('tell the labels a query returns', () => {
    const known = (m: string): readonly string[] | undefined => (m === 'mist_site_info' ? ['org_id', 'site_id', 'site_name', 'region'] : undefined);
    const labels = (e: string): string[] | null => { const l = outputLabels(parsePromql(e), known); return l === null ? null : [...l].sort(); };
    expect(labels('topk(5, sum by (a) (x))')).toEqual(['a']);
    expect(labels('(sum by (a) (x)) * on (a) group_left (site_name) group by (a, site_name) (y)')).toEqual(['a', 'site_name']);
    expect(labels('label_replace(sum by (a) (x), "d", "$1", "a", "(.*)")')).toEqual(['a', 'd']);
    expect(labels('time() - max by (b) (x)')).toEqual(['b']);
    expect(labels('sum by (a) (x) or vector(0)')).toEqual(['a']);
    expect(labels('sum without (region) (mist_site_info)')).toEqual(['instance', 'job', 'org_id', 'site_id', 'site_name']);
    expect(labels('ALERTS{alertstate="firing"}')).toBeNull();
    expect(labels('sum(x)')).toEqual([]);
  });

  it('declare prom-client\'s default metrics the exporter serves, not the ones it removes', () => {
    const declared = lintContext(KPI, [], units).declared;
    for (const n of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds_bucket', 'up', 'ALERTS', R.utilization5m]) expect(declared, n).toContain(n);
    for (const n of ['nodejs_active_handles_total', 'nodejs_gc_duration_seconds']) expect(declared, n).not.toContain(n);
  });

  it('substitute variables by where they stand', () => {
    expect(substituteVariables('x{a=~"$region", b="${__data.fields.site_id}"}[$__rate_interval] offset $off'))
      .toBe('x{a=~"x", b="x"}[33333ms] offset 1m');
    expect(substituteVariables('sum_over_time(x[$__range:$__interval]) > $limit')).toBe('sum_over_time(x[55555ms:44444ms]) > 1');
  });
});
