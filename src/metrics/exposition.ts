import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { decodeLabels } from '../collect/counters.js';
import type { CounterMetricDef, FamilyCatalogue, SelfMetricDef } from './types.js';

/**
 * Prometheus text exposition format 0.0.4, rendered by hand with one label string per record and label set
 * (prom-client's per-series formatting is ~10x slower at 200k series; see docs/performance.md).
 */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NEEDS_ESCAPE = /[\\"\n]/;

/** Label values: backslash, double quote and line feed are escaped; everything else (UTF-8) passes as is. */
export function escapeLabelValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and line feed are escaped. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** `{a="x",b="y"}` (or '' without labels). */
export function labelString(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  let s = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) s += ',';
    s += `${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  }
  return `${s}}`;
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

export interface RenderedFamily {
  readonly text: string;
  readonly series: number;
  readonly invalid: number;
}

/** Records of one org for one family, as read from the store (not yet validated). */
export interface OrgRecords {
  readonly orgId: string;
  readonly records: readonly unknown[];
}

/** Work done between yields to the event loop, so scrapes are served while a big family renders. */
const SLICE = 2000;

/**
 * Renders one family's records (all orgs) into exposition text: validates each record with the family's
 * schema (invalid ones are skipped and counted), builds each record's label string once per label set, then
 * writes every metric's series contiguously. Absent values (null) produce no sample. Yields to the event loop
 * every few thousand records.
 */
export async function renderFamily<R>(
  catalogue: FamilyCatalogue<R>,
  input: readonly OrgRecords[],
  counters: Readonly<Record<string, Readonly<Record<string, number>>>> = {},
): Promise<RenderedFamily> {
  type Row = R & { org_id: string };
  const rows: Row[] = [];
  let invalid = 0;
  let work = 0;
  for (const { orgId, records } of input) {
    for (const raw of records) {
      const parsed = catalogue.schema.safeParse(raw);
      if (parsed.success) rows.push({ ...parsed.data, org_id: orgId });
      else invalid += 1;
      if (++work % SLICE === 0) await yieldToLoop();
    }
  }
  const parts: string[] = [];
  let series = 0;
  for (const group of catalogue.groups) {
    const selected = group.select ? rows.filter(group.select) : rows;
    const labels: string[] = new Array<string>(selected.length);
    for (let i = 0; i < selected.length; i++) {
      labels[i] = labelString(group.labels, group.labelValues(selected[i]!));
      if (++work % SLICE === 0) await yieldToLoop();
    }
    for (const metric of group.metrics) {
      let block = '';
      let n = 0;
      for (let i = 0; i < selected.length; i++) {
        const v = metric.value(selected[i]!);
        if (v === null || v === undefined) continue;
        block += `${metric.name}${labels[i]} ${formatValue(typeof v === 'boolean' ? (v ? 1 : 0) : v)}\n`;
        n += 1;
        if (++work % SLICE === 0) await yieldToLoop();
      }
      if (n === 0) continue;
      parts.push(header(metric.name, metric.help, metric.type), block);
      series += n;
    }
  }
  for (const def of catalogue.counters ?? []) {
    const samples = counterSamples(def, counters[def.group] ?? {});
    if (samples.length === 0) continue;
    parts.push(renderSamples({ ...def, type: 'counter' }, samples));
    series += samples.length;
  }
  return { text: parts.join(''), series, invalid };
}

/** A counter group's fields as samples in the definition's label order; fields without those labels are skipped. */
export function counterSamples(def: Pick<CounterMetricDef, 'labels'>, fields: Readonly<Record<string, number>>): Sample[] {
  const out: Sample[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const labels = decodeLabels(field);
    if (!labels || Object.keys(labels).length !== def.labels.length || !def.labels.every((l) => l in labels)) continue;
    out.push({ labels: def.labels.map((l) => labels[l]!), value });
  }
  return out.sort((a, b) => (a.labels.join('\u0000') < b.labels.join('\u0000') ? -1 : 1));
}

export interface Sample {
  readonly labels: readonly string[];
  readonly value: number;
}

/** Renders one self-metric from its samples (nothing when there are none). */
export function renderSamples(def: SelfMetricDef, samples: readonly Sample[]): string {
  if (samples.length === 0) return '';
  let s = header(def.name, def.help, def.type);
  for (const sample of samples) s += `${def.name}${labelString(def.labels, sample.labels)} ${formatValue(sample.value)}\n`;
  return s;
}
