import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bargauge, dashboard, panel, q, stat, stateTimeline, table, text, timeseries } from '../../src/dashboards/build.js';
import type { Dashboard, Panel } from '../../src/dashboards/grafana.js';
import { BOARDS, generateDashboards, UID } from '../../src/dashboards/index.js';
import { loadKpiConfig } from '../../src/rules/index.js';
import { dashboardSchemaErrors, loadGrafanaSchemas, PANEL_SCHEMA } from '../support/grafana-schema.js';

/**
 * Every generated dashboard against Grafana's own JSON schemas (../shared/grafana-schema, Grafana 11.6 kinds):
 * the dashboard envelope, each panel's options and field `custom` config against its plugin's schema, each
 * target against the Prometheus query schema. No Grafana runs here; this is the closest static proof that Grafana
 * will load what we provision.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KPI = loadKpiConfig(join(ROOT, 'prometheus/kpi-config.yml'));
const schemas = loadGrafanaSchemas();
const shipped = generateDashboards(KPI);
/** The time-compressed copy the integration test provisions against compressed rules must be as valid. */
const compressed = generateDashboards(KPI, { timeScale: 1 / 30 });

const clone = (d: Dashboard): Dashboard => structuredClone(d);
const firstOf = (d: Dashboard, type: string): number => {
  const i = d.panels.findIndex((p) => p.type === type);
  if (i < 0) throw new Error(`${d.uid} has no ${type} panel`);
  return i;
};

describe('generated dashboards against Grafana\'s JSON schema', () => {
  it('generates one dashboard per board, with distinct uids', () => {
    expect(shipped).toHaveLength(BOARDS.length);
    expect(shipped.length).toBeGreaterThan(0);
    expect(new Set(shipped.map((d) => d.uid)).size).toBe(shipped.length);
    for (const d of shipped) expect(Object.values(UID)).toContain(d.uid);
  });

  it.each(shipped.map((d) => [d.uid, d] as const))('%s: envelope, panel options, field config and targets validate', (_uid, d) => {
    expect(d.panels.length).toBeGreaterThan(1);
    expect(dashboardSchemaErrors(schemas, d)).toEqual([]);
  });

  it.each(compressed.map((d) => [d.uid, d] as const))('%s (time-compressed copy) validates', (_uid, d) => {
    expect(dashboardSchemaErrors(schemas, d)).toEqual([]);
  });

  it('every panel type the boards use has a schema', () => {
    const types = new Set(shipped.flatMap((d) => d.panels.map((p) => p.type)).filter((t) => t !== 'row'));
    for (const t of types) expect(PANEL_SCHEMA, t).toHaveProperty(t);
  });

  it('each panel builder\'s defaults satisfy its plugin schema (a board cannot inherit an invalid default)', () => {
    const spec = { title: 't', description: 'd', unit: 'none', queries: [q('up')] };
    const d = dashboard({
      uid: UID.health, title: 'builders', description: 'every builder once', questions: ['q?'], variables: [],
      sections: [{ row: 'all', panels: [timeseries(spec), stat(spec), table(spec), bargauge(spec), stateTimeline(spec),
        panel('status-history', spec, 12, 8), text('t', 'd', 'x')] }],
    });
    expect(d.panels.map((p) => p.type)).toEqual(['text', 'row', 'timeseries', 'stat', 'table', 'bargauge', 'state-timeline', 'status-history', 'text']);
    expect(dashboardSchemaErrors(schemas, d)).toEqual([]);
  });
});

describe('the schema check bites', () => {
  const base = shipped[0]!;

  it('a bad grid position in the envelope fails with its path', () => {
    const d = clone(base);
    (d.panels[1]!.gridPos as unknown as Record<string, unknown>).h = 'tall';
    expect(dashboardSchemaErrors(schemas, d)).toContain('/panels/1/gridPos/h must be integer {"type":"integer"}');
  });

  it('an unknown dashboard key fails', () => {
    const d = clone(base) as unknown as Record<string, unknown>;
    d.refreshEvery = '1m';
    expect(dashboardSchemaErrors(schemas, d).join('\n')).toMatch(/^\/ must NOT have additional properties .*refreshEvery/m);
  });

  it('a panel option outside its plugin schema fails with its path', () => {
    const d = clone(base);
    const i = firstOf(d, 'stat');
    (d.panels[i] as { options: Record<string, unknown> }).options.colorMode = 'rainbow';
    expect(dashboardSchemaErrors(schemas, d).join('\n')).toContain(`/panels/${i}/options/colorMode must be equal to one of the allowed values`);
  });

  it('a missing required panel option fails', () => {
    const d = clone(base);
    const i = firstOf(d, 'timeseries');
    delete (d.panels[i] as { options: Record<string, unknown> }).options.legend;
    expect(dashboardSchemaErrors(schemas, d)).toContain(`/panels/${i}/options/ must have required property 'legend' {"missingProperty":"legend"}`);
  });

  it('a bad target field fails with its path', () => {
    const d = clone(base);
    const i = firstOf(d, 'timeseries');
    ((d.panels[i] as unknown as { targets: Record<string, unknown>[] }).targets[0]!).format = 'csv';
    expect(dashboardSchemaErrors(schemas, d).join('\n')).toContain(`/panels/${i}/targets/0/format must be equal to one of the allowed values`);
  });

  it('a bad field custom config fails with its path', () => {
    const d = clone(base);
    const i = firstOf(d, 'timeseries');
    (d.panels[i] as { fieldConfig: { defaults: { custom?: unknown } } }).fieldConfig.defaults.custom = { lineWidth: 'thick' };
    expect(dashboardSchemaErrors(schemas, d).join('\n')).toContain(`/panels/${i}/fieldConfig/defaults/custom/lineWidth must be`);
  });

  it('an override without a matcher id fails (the relaxed override fields still check their envelope)', () => {
    const d = clone(base);
    const i = firstOf(d, 'timeseries');
    (d.panels[i] as Panel).fieldConfig.overrides = [{ matcher: { options: 'Value' } as unknown as { id: string }, properties: [{ id: 'unit', value: 'short' }] }];
    expect(dashboardSchemaErrors(schemas, d).join('\n')).toContain(`/panels/${i}/fieldConfig/overrides/0/matcher must have required property 'id'`);
  });

  it('a field data link without a url, or with a key Grafana\'s DataLink lacks, fails', () => {
    const d = clone(base);
    const i = firstOf(d, 'timeseries');
    (d.panels[i] as Panel).fieldConfig.defaults.links = [{ title: 'x' } as { title: string; url: string }, { title: 'y', url: '/d/x', tags: [] } as { title: string; url: string }];
    const errors = dashboardSchemaErrors(schemas, d).join('\n');
    expect(errors).toContain(`/panels/${i}/fieldConfig/defaults/links/0 must have required property 'url'`);
    expect(errors).toMatch(new RegExp(`/panels/${i}/fieldConfig/defaults/links/1 must NOT have additional properties .*tags`));
  });

  it('a panel type without a schema fails', () => {
    const d = clone(base);
    const i = firstOf(d, 'timeseries');
    (d.panels[i] as { type: string }).type = 'graph';
    expect(dashboardSchemaErrors(schemas, d).join('\n')).toContain(`/panels/${i}/type panel type "graph" has no schema`);
  });
});
