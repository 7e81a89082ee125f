import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { decodeLabels } from '../collect/counters.js';
import type { CounterMetricDef, FamilyCatalogue, SelfMetricDef, SeriesGroup } from './types.js';

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

/** Counter groups by name: each group's fields (encoded label sets) and values. */
export type Counters = Readonly<Record<string, Readonly<Record<string, number>>>>;

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

/** Or the stored pages (JSON arrays of records) of one org, parsed one page at a time while rendering. */
export interface OrgPages {
  readonly orgId: string;
  readonly pages: readonly string[];
}

/**
 * How long the renderer works between yields to the event loop, so scrapes are served while a big family
 * renders. By time, not by count: validating a record costs ~50× more than writing a sample.
 */
const SLICE_MS = 8;

/**
 * Text handed to the sink at a time. Concatenation builds a rope that the sink (Buffer.from) flattens in one
 * go; bounding its length bounds that step (writing is cheap, flattening is what costs).
 */
const FLUSH_CHARS = 128 * 1024;

/** Tells when the current slice of work is used up (reads the clock every 32 calls). */
class Pacer {
  private deadline = performance.now() + SLICE_MS;
  private n = 0;

  due(): boolean {
    return (++this.n & 31) === 0 && performance.now() >= this.deadline;
  }

  async pause(): Promise<void> {
    await yieldToLoop();
    this.deadline = performance.now() + SLICE_MS;
  }
}

/** One series group's rendering state: per selected record its label string, per metric its values. */
interface GroupColumns<Row> {
  readonly group: SeriesGroup<Row>;
  readonly labels: string[];
  values: Float64Array[];
  /** 1 where the metric has a value for the record (absent values produce no sample). */
  present: Uint8Array[];
}

function addRecord<Row>(g: GroupColumns<Row>, row: Row): void {
  const i = g.labels.length;
  if (i === (g.values[0]?.length ?? Infinity)) {
    g.values = g.values.map((a) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    });
    g.present = g.present.map((a) => {
      const b = new Uint8Array(a.length * 2);
      b.set(a);
      return b;
    });
  }
  const label = labelString(g.group.labels, g.group.labelValues(row));
  // Flattens the rope `+=` built (V8 flattens a string to convert it), once, instead of in every sample using it.
  Number(label);
  g.labels.push(label);
  for (let k = 0; k < g.group.metrics.length; k++) {
    const v = g.group.metrics[k]!.value(row);
    if (v === null || v === undefined) continue;
    g.values[k]![i] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    g.present[k]![i] = 1;
  }
}

/**
 * Renders one family's records (all orgs) into exposition text (renderFamilyTo, collected into one string: for
 * tests and small bodies; the exposition cache streams the slices into its compressor instead).
 */
export async function renderFamily<R>(
  catalogue: FamilyCatalogue<R>,
  input: readonly (OrgRecords | OrgPages)[],
  counters: Counters = {},
): Promise<RenderedFamily> {
  const parts: string[] = [];
  const { series, invalid } = await renderFamilyTo(catalogue, input, counters, (text) => void parts.push(text));
  return { text: parts.join(''), series, invalid };
}

/** Receives rendered text slice by slice, in order; a promise makes the renderer wait (backpressure). */
export type TextSink = (text: string) => void | Promise<void>;

/**
 * Renders one family's records (all orgs) into `sink`: validates each record with the family's schema (invalid
 * ones are skipped and counted), builds each record's label string once per label set, then writes every
 * metric's series contiguously. Absent values (null) produce no sample.
 *
 * Made for big families next to a busy event loop: records are reduced to label strings and typed arrays of
 * values as they are read (pages parsed one at a time), so the records themselves die young instead of being
 * copied by every GC; the text goes out in slices, never as one big string; and the renderer yields to the
 * event loop every few milliseconds.
 */
export async function renderFamilyTo<R>(
  catalogue: FamilyCatalogue<R>,
  input: readonly (OrgRecords | OrgPages)[],
  counters: Counters,
  sink: TextSink,
): Promise<{ readonly series: number; readonly invalid: number }> {
  type Row = R & { org_id: string };
  const columns: GroupColumns<Row>[] = catalogue.groups.map((group) => ({
    group, labels: [], values: group.metrics.map(() => new Float64Array(1024)), present: group.metrics.map(() => new Uint8Array(1024)),
  }));
  let invalid = 0;
  const pacer = new Pacer();
  for (const org of input) {
    const batches = 'pages' in org ? org.pages : [org.records];
    for (const batch of batches) {
      const records = typeof batch === 'string' ? (JSON.parse(batch) as unknown[]) : batch;
      for (const raw of records) {
        const parsed = catalogue.schema.safeParse(raw);
        if (parsed.success) {
          const row: Row = { ...parsed.data, org_id: org.orgId };
          for (const g of columns) if (!g.group.select || g.group.select(row)) addRecord(g, row);
        } else {
          invalid += 1;
        }
        if (pacer.due()) await pacer.pause();
      }
      await pacer.pause();
    }
  }
  let out = '';
  const emit = async (): Promise<void> => {
    if (out === '') return;
    const text = out;
    out = '';
    await sink(text);
  };
  const flush = async (): Promise<void> => {
    await emit();
    await pacer.pause();
  };
  let series = 0;
  for (const { group, labels, values, present } of columns) {
    for (let k = 0; k < group.metrics.length; k++) {
      const metric = group.metrics[k]!;
      const [v, p] = [values[k]!, present[k]!];
      let n = 0;
      for (let i = 0; i < labels.length; i++) {
        if (pacer.due()) await flush();
        else if (out.length >= FLUSH_CHARS) await emit();
        if (p[i] === 0) continue;
        if (n === 0) out += header(metric.name, metric.help, metric.type);
        out += `${metric.name}${labels[i]} ${formatValue(v[i]!)}\n`;
        n += 1;
      }
      series += n;
    }
  }
  for (const def of catalogue.counters ?? []) {
    await flush();
    const samples = await counterSamplesPaced(def, counters[def.group] ?? {}, pacer);
    if (samples.length === 0) continue;
    // As renderSamples, in slices.
    out += header(def.name, def.help, 'counter');
    for (const sample of samples) {
      out += `${def.name}${labelString(def.labels, sample.labels)} ${formatValue(sample.value)}\n`;
      if (pacer.due()) await flush();
      else if (out.length >= FLUSH_CHARS) await emit();
    }
    series += samples.length;
  }
  if (out !== '') await sink(out);
  return { series, invalid };
}

/** A counter group's fields as samples in the definition's label order; fields without those labels are skipped. */
export function counterSamples(def: Pick<CounterMetricDef, 'labels'>, fields: Readonly<Record<string, number>>): Sample[] {
  const keyed: KeyedSample[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const k = keyedSample(def, field, value);
    if (k) keyed.push(k);
  }
  return sortSamples(keyed);
}

/** counterSamples for the renderer: the same samples, decoding thousands of fields in paced slices. */
async function counterSamplesPaced(def: Pick<CounterMetricDef, 'labels'>, fields: Readonly<Record<string, number>>, pacer: Pacer): Promise<Sample[]> {
  const keyed: KeyedSample[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const k = keyedSample(def, field, value);
    if (k) keyed.push(k);
    if (pacer.due()) await pacer.pause();
  }
  // Sorting tens of thousands of keys at once takes tens of milliseconds: sort runs, then merge them in slices.
  const RUN = 4096;
  if (keyed.length <= RUN) return sortSamples(keyed);
  let runs: KeyedSample[][] = [];
  for (let i = 0; i < keyed.length; i += RUN) {
    runs.push(keyed.slice(i, i + RUN).sort(byKey));
    await pacer.pause();
  }
  while (runs.length > 1) {
    const next: KeyedSample[][] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const [a, b = []] = [runs[r]!, runs[r + 1]];
      const merged: KeyedSample[] = [];
      let i = 0;
      let j = 0;
      while (i < a.length || j < b.length) {
        merged.push(j >= b.length || (i < a.length && byKey(a[i]!, b[j]!) <= 0) ? a[i++]! : b[j++]!);
        if (pacer.due()) await pacer.pause();
      }
      next.push(merged);
    }
    runs = next;
  }
  return runs[0]!.map((k) => k.sample);
}

const byKey = (a: KeyedSample, b: KeyedSample): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

interface KeyedSample {
  readonly key: string;
  readonly sample: Sample;
}

function keyedSample(def: Pick<CounterMetricDef, 'labels'>, field: string, value: number): KeyedSample | null {
  const labels = decodeLabels(field);
  if (!labels || Object.keys(labels).length !== def.labels.length || !def.labels.every((l) => l in labels)) return null;
  const values = def.labels.map((l) => labels[l]!);
  return { key: values.join('\u0000'), sample: { labels: values, value } };
}

/** By label values; sort keys built once per sample, not per comparison (thousands of fields: flaps by port). */
function sortSamples(keyed: KeyedSample[]): Sample[] {
  return keyed.sort(byKey).map((k) => k.sample);
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
