import { decodeLabels } from '../store/counters.js';
import { LiveCounters } from './counter-liveness.js';
import { FirstOfIdentity, identityGroup, identityKey, selectedGroups } from './identity.js';
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

export interface RenderedFamily extends RenderCounts {
  readonly text: string;
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
 * Text handed to the sink at a time. Concatenation builds a rope that the sink (Buffer.from) flattens in one
 * go; bounding its length bounds that step (writing is cheap, flattening is what costs).
 */
const FLUSH_CHARS = 128 * 1024;

/** One series group's rendering state: per selected record its label string, per metric its values. */
interface GroupColumns<Row> {
  readonly group: SeriesGroup<Row>;
  readonly labels: string[];
  values: Float64Array[];
  /** 1 where the metric has a value for the record (absent values produce no sample). */
  present: Uint8Array[];
}

/** Adds a record's series to a group under its label string (not yet rendered by the group). */
function addRecord<Row>(g: GroupColumns<Row>, row: Row, label: string): void {
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
  // Flattens the rope `+=` built (V8 flattens a string to convert it), once, instead of in every sample using it.
  Number(label);
  g.labels.push(label);
  for (let k = 0; k < g.group.metrics.length; k++) {
    const v = g.group.metrics[k]!.value(row);
    if (v === null || v === undefined) {
      g.present[k]![i] = 0;
      continue;
    }
    g.values[k]![i] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    g.present[k]![i] = 1;
  }
}

export interface RenderCounts {
  readonly series: number;
  /** Records that failed the family's schema: skipped. */
  readonly invalid: number;
  /**
   * Records that repeated the identity of an earlier record of the same snapshot (overlapping pages, a resumed
   * walk, two names of one port): the first record wins in every group, the repeat is skipped whole.
   */
  readonly duplicates: number;
}

/**
 * Renders one family's records (all orgs) into exposition text (renderFamilyTo, collected into one string: for
 * tests and small bodies; the render worker streams the text into its compressor instead).
 */
export async function renderFamily<R>(
  catalogue: FamilyCatalogue<R>,
  input: readonly (OrgRecords | OrgPages)[],
  counters: Counters = {},
): Promise<RenderedFamily> {
  const parts: string[] = [];
  const { series, invalid, duplicates } = await renderFamilyTo(catalogue, input, counters, (text) => void parts.push(text));
  return { text: parts.join(''), series, invalid, duplicates };
}

/** Receives rendered text slice by slice, in order; a promise makes the renderer wait (backpressure). */
export type TextSink = (text: string) => void | Promise<void>;

/**
 * Renders one family's records (all orgs) into `sink`: validates each record with the family's schema (invalid
 * ones are skipped and counted), builds each record's label string once per label set, then writes every
 * metric's series contiguously. Absent values (null) produce no sample.
 *
 * Duplicates are removed by the one rule of src/metrics/identity.ts (the collector's joins use it too): a
 * record's identity is the label values of its identity group (the group rendering it with the fewest labels;
 * the other groups add descriptive labels to them), the first record of an identity is rendered in all its
 * groups and a repeat is skipped whole and counted (a repeated path that differs only in an info label repeats
 * the identity group's series and adds no second info series). Families rely on this instead of deduplicating
 * themselves. Counters follow the records: a counter series is rendered only while a record still has what it
 * counts (counter-liveness.ts).
 *
 * Records are reduced to label strings and typed arrays of values as they are read (pages parsed one at a
 * time), so the records themselves die young; the text goes out in slices, never as one big string, and the
 * renderer waits for the sink. It runs in the render worker, so it does not yield to an event loop.
 */
export async function renderFamilyTo<R>(
  catalogue: FamilyCatalogue<R>,
  input: readonly (OrgRecords | OrgPages)[],
  counters: Counters,
  sink: TextSink,
): Promise<RenderCounts> {
  type Row = R & { org_id: string };
  const columns: GroupColumns<Row>[] = catalogue.groups.map((group) => ({
    group, labels: [], values: group.metrics.map(() => new Float64Array(1024)), present: group.metrics.map(() => new Uint8Array(1024)),
  }));
  const counterDefs = catalogue.counters ?? [];
  const live = new LiveCounters(counterDefs, catalogue.groups);
  let invalid = 0;
  const first = new FirstOfIdentity();
  for (const org of input) {
    const batches = 'pages' in org ? org.pages : [org.records];
    for (const batch of batches) {
      const records = typeof batch === 'string' ? (JSON.parse(batch) as unknown[]) : batch;
      for (const raw of records) {
        const parsed = catalogue.schema.safeParse(raw);
        if (!parsed.success) {
          invalid += 1;
          continue;
        }
        const row: Row = { ...parsed.data, org_id: org.orgId };
        const selected = selectedGroups(catalogue.groups, row);
        if (selected.length === 0) continue;
        const values = selected.map((g) => columns[g]!.group.labelValues(row));
        const id = identityGroup(catalogue.groups, selected);
        // First record of an identity wins (identity.ts); a repeat is skipped before any of its series is built.
        if (!first.admit(identityKey(id, values[selected.indexOf(id)]!))) continue;
        const labels = selected.map((g, i) => labelString(columns[g]!.group.labels, values[i]!));
        for (const [i, g] of selected.entries()) {
          addRecord(columns[g]!, row, labels[i]!);
          live.add(g, values[i]!);
        }
      }
    }
  }
  let out = '';
  const emit = async (): Promise<void> => {
    if (out === '') return;
    const text = out;
    out = '';
    await sink(text);
  };
  let series = 0;
  for (const { group, labels, values, present } of columns) {
    for (let k = 0; k < group.metrics.length; k++) {
      const metric = group.metrics[k]!;
      const [v, p] = [values[k]!, present[k]!];
      let n = 0;
      for (let i = 0; i < labels.length; i++) {
        if (out.length >= FLUSH_CHARS) await emit();
        if (p[i] === 0) continue;
        if (n === 0) out += header(metric.name, metric.help, metric.type);
        out += `${metric.name}${labels[i]} ${formatValue(v[i]!)}\n`;
        n += 1;
      }
      series += n;
    }
  }
  for (const [c, def] of counterDefs.entries()) {
    const samples = counterSamples(def, counters[def.group] ?? {}, (labels) => live.isLive(c, labels));
    if (samples.length === 0) continue;
    out += header(def.name, def.help, 'counter');
    for (const sample of samples) {
      out += `${def.name}${labelString(def.labels, sample.labels)} ${formatValue(sample.value)}\n`;
      if (out.length >= FLUSH_CHARS) await emit();
    }
    series += samples.length;
  }
  await emit();
  return { series, invalid, duplicates: first.repeats };
}

/**
 * A counter group's fields as samples in the definition's label order, sorted by label values (sort keys built
 * once per sample); fields without exactly those labels, or that `keep` refuses, are skipped.
 */
export function counterSamples(
  def: Pick<CounterMetricDef, 'labels'>, fields: Readonly<Record<string, number>>, keep: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): Sample[] {
  const keyed: { key: string; sample: Sample }[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const labels = decodeLabels(field);
    if (!labels || Object.keys(labels).length !== def.labels.length || !def.labels.every((l) => l in labels) || !keep(labels)) continue;
    const values = def.labels.map((l) => labels[l]!);
    keyed.push({ key: values.join('\u0000'), sample: { labels: values, value } });
  }
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((k) => k.sample);
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
