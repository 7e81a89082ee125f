import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';

/**
 * Grafana's own JSON schemas (../shared/grafana-schema, from grafana/grafana-foundation-sdk, Grafana 11.6 kinds;
 * see its PROVENANCE.md) compiled with ajv (draft-07; strict off: the schemas use keywords and formats ajv's
 * strict mode refuses). The dashboard schema checks the envelope and leaves panel `options`, field `custom` and
 * `targets` free-form, so each of those is checked against the panel plugin's and the Prometheus query's schema.
 */

export const SCHEMA_DIR = fileURLToPath(new URL('../../../shared/grafana-schema/', import.meta.url));

/** Panel type → schema file stem (Grafana's plugin ids have dashes its schema files do not). */
export const PANEL_SCHEMA: Readonly<Record<string, string>> = {
  timeseries: 'timeseries', stat: 'stat', table: 'table', text: 'text', 'state-timeline': 'statetimeline',
  'status-history': 'statushistory', bargauge: 'bargauge', gauge: 'gauge', heatmap: 'heatmap', piechart: 'piechart',
  geomap: 'geomap', dashlist: 'dashboardlist',
};

export interface SchemaSet {
  dashboard: ValidateFunction;
  target: ValidateFunction;
  /** Panel options by panel type. */
  options: ReadonlyMap<string, ValidateFunction>;
  /** fieldConfig.defaults.custom by panel type, where the plugin declares a FieldConfig. */
  custom: ReadonlyMap<string, ValidateFunction>;
  /** Every unit id Grafana's units schema lists. */
  units: ReadonlySet<string>;
}

interface SchemaDoc { definitions: Record<string, { properties?: Record<string, { description?: string }> }> }

/**
 * Two fields Grafana's CUE kind declares as `_` (any value) come out of the JSON-schema generator typed `object`:
 * an override's `matcher.options` (Grafana saves a string for byName: `"options": "Value"`) and an override
 * property's `value` (a string for `unit`, an array for `links`, a boolean for `custom.hidden`). They are put back
 * to "any" here; the lint test checks the values that matter (units, links).
 */
export const RELAXED = ['MatcherConfig.options', 'DynamicConfigValue.value'] as const;

/**
 * A field's data links (`fieldConfig.defaults.links`) are Grafana's DataLink ({title, url, targetBlank?, …},
 * packages/grafana-data/src/types/dataLink.ts), which the generated schema types as a DashboardLink (the dashboard
 * link bar's model, with type/tags/asDropdown/icon required): the foundation SDK's quirk (tooling notes §3.1).
 * They are checked against DataLink's own fields here, no others allowed.
 */
const DATA_LINK = {
  type: 'object', additionalProperties: false, required: ['title', 'url'],
  properties: {
    title: { type: 'string' }, url: { type: 'string' }, targetBlank: { type: 'boolean' }, internal: { type: 'object' },
    onClick: {}, origin: {}, sortIndex: { type: 'number' }, oneClick: { type: 'boolean' },
  },
} as const;

function relaxAnyTyped(doc: SchemaDoc): void {
  for (const path of RELAXED) {
    const [def, prop] = path.split('.') as [string, string];
    const props = doc.definitions[def]?.properties;
    if (!props?.[prop]) throw new Error(`dashboard schema has no ${path} to relax`);
    props[prop] = { description: `${props[prop].description ?? ''} (any value, as in Grafana's CUE kind)` };
  }
  const fieldConfig = doc.definitions.FieldConfig?.properties;
  if (!fieldConfig?.links) throw new Error('dashboard schema has no FieldConfig.links');
  fieldConfig.links = { type: 'array', items: DATA_LINK, description: 'Data links (Grafana DataLink)' } as unknown as { description: string };
}

// ajv-formats is CommonJS: its plugin is the namespace's default or default.default depending on the loader.
function formatsPlugin(): FormatsPlugin {
  const ns = ajvFormats as unknown as { default?: unknown };
  const d = ns.default as { default?: unknown } | FormatsPlugin | undefined;
  const fn = typeof d === 'function' ? d : d?.default;
  if (typeof fn !== 'function') throw new Error('ajv-formats: plugin function not found');
  return fn as FormatsPlugin;
}

export function loadGrafanaSchemas(dir = SCHEMA_DIR): SchemaSet {
  const ajv = new Ajv({ strict: false, allErrors: true });
  formatsPlugin()(ajv);
  // common.jsonschema.json is left out: it is not referenced by the others, and its ScaleDirection enum repeats
  // items, which ajv refuses as an invalid schema (upstream generator quirk).
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonschema.json') && f !== 'common.jsonschema.json');
  const docs = new Map(files.map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as { definitions: Record<string, { const?: string }> }]));
  relaxAnyTyped(docs.get('dashboard.jsonschema.json') as unknown as SchemaDoc);
  for (const [f, doc] of docs) ajv.addSchema(doc, f);
  const get = (ref: string): ValidateFunction => {
    const v = ajv.getSchema(ref);
    if (!v) throw new Error(`no schema ${ref} in ${dir}`);
    return v;
  };
  const options = new Map<string, ValidateFunction>();
  const custom = new Map<string, ValidateFunction>();
  for (const [type, stem] of Object.entries(PANEL_SCHEMA)) {
    const doc = docs.get(`${stem}.jsonschema.json`);
    if (!doc) throw new Error(`no schema file for panel type ${type}`);
    if (doc.definitions.Options) options.set(type, get(`${stem}.jsonschema.json#/definitions/Options`));
    if (doc.definitions.FieldConfig) custom.set(type, get(`${stem}.jsonschema.json#/definitions/FieldConfig`));
  }
  const units = new Set(Object.values(docs.get('units.jsonschema.json')!.definitions).flatMap((d) => (d.const ? [d.const] : [])));
  return {
    dashboard: get('dashboard.jsonschema.json#/definitions/Dashboard'),
    target: get('prometheus.jsonschema.json'),
    options,
    custom,
    units,
  };
}

/** ajv's errors as `path message` lines (prefixed with where the validated object sits in the dashboard). */
export function schemaErrors(validate: ValidateFunction, value: unknown, at = ''): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) =>
    `${at}${e.instancePath || '/'} ${e.message ?? ''}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
}

interface LoosePanel {
  type?: unknown;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
  targets?: unknown[];
  panels?: LoosePanel[];
}

/**
 * Every schema error of a dashboard: the envelope (dashboard.jsonschema.json#/definitions/Dashboard), then per
 * panel (rows' nested panels too) its options, its field `custom` config and each target. Paths are JSON pointers
 * into the dashboard.
 */
export function dashboardSchemaErrors(schemas: SchemaSet, dashboard: unknown): string[] {
  const errors = schemaErrors(schemas.dashboard, dashboard);
  const top = ((dashboard as { panels?: LoosePanel[] }).panels ?? []);
  const panels: [string, LoosePanel][] = top.flatMap((p, i) => [
    [`/panels/${i}`, p] as [string, LoosePanel],
    ...(p.panels ?? []).map((n, j) => [`/panels/${i}/panels/${j}`, n] as [string, LoosePanel]),
  ]);
  for (const [at, p] of panels) {
    if (p.type === 'row') continue;
    const type = String(p.type);
    const options = schemas.options.get(type);
    if (!options) {
      errors.push(`${at}/type panel type ${JSON.stringify(p.type)} has no schema in ${SCHEMA_DIR}`);
      continue;
    }
    errors.push(...schemaErrors(options, p.options ?? {}, `${at}/options`));
    const custom = schemas.custom.get(type);
    const given = p.fieldConfig?.defaults?.custom;
    if (custom && given !== undefined) errors.push(...schemaErrors(custom, given, `${at}/fieldConfig/defaults/custom`));
    (p.targets ?? []).forEach((t, k) => errors.push(...schemaErrors(schemas.target, t, `${at}/targets/${k}`)));
  }
  return errors;
}
