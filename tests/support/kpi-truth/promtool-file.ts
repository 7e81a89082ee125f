import type { Comparison } from './kpis.js';
import type { CollectedSeries } from './pipeline.js';
import type { TruthSeries } from './truth-kpis.js';

/**
 * The `promtool test rules` file: the collected series as a Prometheus scrape every 30 s would have stored them
 * (each snapshot seen by two scrapes, a stale marker when a series leaves the exposition, as a real scrape writes),
 * the truth series at every evaluation minute, and per comparison two promql_expr_test items: the violations
 * (expected: none) and the count of compared (recorded, truth) pairs (expected: exactly the truth's count, so an
 * empty join cannot pass).
 */

/** What a real scrape adds to every series (the rules drop both with `max without (instance, job)`). */
export const SCRAPE_LABELS = { job: 'mist-wan-exporter', instance: 'exporter-a:9100' } as const;

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10))));

/** Expanding notation of 30 s slots: equal runs as `v+0xN`, gaps as `_xN`, `stale` where a series disappears. */
export function encodeSlots(slots: readonly (number | undefined | null)[]): string {
  const tokens: string[] = [];
  let i = 0;
  let present = false;
  while (i < slots.length) {
    const v = slots[i];
    let j = i + 1;
    while (j < slots.length && slots[j] === v) j++;
    const k = j - i;
    if (v === null) {
      // An empty slot inside a present series (not a disappearance).
      tokens.push(k === 1 ? '_' : `_x${k}`);
    } else if (v === undefined) {
      if (present) {
        tokens.push('stale');
        if (k > 1) tokens.push(`_x${k - 1}`);
      } else tokens.push(`_x${k}`);
      present = false;
    } else {
      tokens.push(k === 1 ? fmt(v) : `${fmt(v)}+0x${k - 1}`);
      present = true;
    }
    i = j;
  }
  return tokens.join(' ');
}

function seriesText(name: string, labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name}{${parts.join(',')}}`;
}

/** Two 30 s slots per minute value: a snapshot is scraped twice. */
const twice = (values: readonly (number | undefined)[], minutes: number): (number | undefined)[] =>
  Array.from({ length: minutes * 2 }, (_, s) => values[Math.floor(s / 2)]);

/**
 * A truth value at its evaluation minute only (the second slot of the minute left empty): compared at that
 * instant, and half the samples a query over a span loads.
 */
const atMinute = (values: readonly (number | undefined)[], minutes: number): (number | undefined | null)[] =>
  Array.from({ length: minutes * 2 }, (_, s) => (s % 2 === 0 ? values[s / 2] : null));

function tolerance(c: Comparison, truth: string): string {
  const on = `on(${c.on.join(', ')})`;
  if (c.tolerance.rel !== undefined) return `> ${on} (${c.tolerance.rel} * abs(${truth}) + ${c.tolerance.abs ?? 1e-9})`;
  return `> ${c.tolerance.abs ?? 0}`;
}

/**
 * Minutes per sweep item: promtool's engine loads at most 50,000 samples per query, so a comparison over every
 * minute is checked in spans of this many evaluation minutes.
 */
export const SPAN_MINUTES = 60;

/** The violations of one comparison over `minutes` evaluation minutes ending at the item's eval_time (max difference per series). */
export function violationExpr(c: Comparison, minutes: number): string {
  return `max_over_time((${violation(c, c.recorded)})[${minutes - 1}m:1m])`;
}

/** The recorded values outside the truth's tolerance (or band), as their absolute difference. */
function violation(c: Comparison, recorded: string): string {
  const on = `on(${c.on.join(', ')})`;
  if (c.truthHigh !== undefined) {
    const t = c.tolerance.abs ?? 0;
    return `((${c.truth} - ${on} (${recorded})) > ${t}) or (((${recorded}) - ${on} ${c.truthHigh}) > ${t})`;
  }
  return `abs((${recorded}) - ${on} ${c.truth}) ${tolerance(c, c.truth)}`;
}

/** The number of (recorded, truth) pairs compared over `minutes` evaluation minutes. */
export function coverageExpr(c: Comparison, minutes: number): string {
  return `sum(count_over_time(((${c.recorded}) and on(${c.on.join(', ')}) ${c.truth})[${minutes - 1}m:1m]))`;
}

export interface TestFileInput {
  readonly ruleFiles: readonly string[];
  readonly groupOrder: readonly string[];
  readonly collected: readonly CollectedSeries[];
  /** Snapshots collected (minutes). */
  readonly minutes: number;
  /**
   * Unix time of Prometheus time 0 (the first snapshot): values that are Unix timestamps (`…_timestamp_seconds`)
   * are shifted by it, so `time() - x` means in the test what it means live.
   */
  readonly epoch: number;
  readonly truth: readonly TruthSeries[];
  readonly comparisons: readonly Comparison[];
}

/** Defined truth values of `selector` (a name, optionally with `{label="value",…}` matchers) within [from, to]. */
export function truthCount(truth: readonly TruthSeries[], selector: string, from: number, to: number): number {
  const [name, matchers = ''] = selector.replace(/}$/, '').split('{');
  const want = [...matchers.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as const);
  let n = 0;
  for (const s of truth) {
    if (s.name !== name || want.some(([k, v]) => s.labels[k] !== v)) continue;
    for (let p = from; p <= to; p++) if (s.values[p] !== undefined) n++;
  }
  return n;
}

/** count()/sum() of nothing is no sample, not 0. */
const expectCount = (n: number): string => (n === 0 ? '[]' : `[{ labels: "{}", value: ${n} }]`);

export interface TestFile {
  readonly text: string;
  /** Each item's expression → the comparison it belongs to (to name promtool's failures). */
  readonly owners: ReadonlyMap<string, string>;
}

/** The comparisons named by promtool's failure output (`expr: "…", time: …` per failing item); unknown ones as such. */
export function failingComparisons(output: string, owners: ReadonlyMap<string, string>): string[] {
  const ids = new Set<string>();
  for (const m of output.matchAll(/^\s+expr: (".*"), time: /gm)) {
    let expr: string;
    try {
      expr = JSON.parse(m[1]!) as string;
    } catch {
      expr = m[1]!;
    }
    ids.add(owners.get(expr) ?? `(unknown item) ${expr.slice(0, 120)}`);
  }
  return [...ids];
}

export function buildTestFile(input: TestFileInput): TestFile {
  const out: string[] = [];
  const owners = new Map<string, string>();
  const item = (expr: string, id: string): string => {
    owners.set(expr, id);
    return `      - expr: ${JSON.stringify(expr)}`;
  };
  out.push(`rule_files: ${JSON.stringify(input.ruleFiles)}`);
  out.push('evaluation_interval: 1m');
  if (input.groupOrder.length > 0) out.push(`group_eval_order: ${JSON.stringify(input.groupOrder)}`);
  out.push('tests:', '  - interval: 30s', '    input_series:');
  const slots = input.minutes * 2 + 4;
  for (const s of input.collected) {
    out.push(`      - series: ${JSON.stringify(seriesText(s.name, { ...s.labels, ...SCRAPE_LABELS }))}`);
    const values = s.name.endsWith('_timestamp_seconds') ? s.values.map((v) => (v === undefined ? v : v - input.epoch)) : s.values;
    out.push(`        values: ${JSON.stringify(encodeSlots(twice(values, input.minutes)))}`);
  }
  for (const s of input.truth) {
    if (s.values.every((v) => v === undefined)) continue;
    out.push(`      - series: ${JSON.stringify(seriesText(s.name, s.labels))}`);
    out.push(`        values: ${JSON.stringify(encodeSlots(atMinute(s.values, Math.ceil(slots / 2))))}`);
  }
  out.push('    promql_expr_test:');
  for (const c of input.comparisons) {
    out.push(`      # ${c.id}`);
    if (c.checkpoints) {
      for (const p of c.checkpoints.minutes) {
        const one = { ...c, recorded: c.checkpoints.recordedAt(p * 60) };
        out.push(item(violation(c, one.recorded), c.id),
          `        eval_time: ${p}m`, '        exp_samples: []');
        out.push(item(`count((${one.recorded}) and on(${c.on.join(', ')}) ${c.truth})`, `${c.id} (coverage)`), `        eval_time: ${p}m`,
          `        exp_samples: ${expectCount(truthCount(input.truth, c.truth, p, p))}`);
      }
      continue;
    }
    for (let end = c.to; end >= c.from; end -= SPAN_MINUTES) {
      const minutes = Math.min(SPAN_MINUTES, end - c.from + 1);
      out.push(item(violationExpr(c, minutes), c.id), `        eval_time: ${end}m`, '        exp_samples: []');
      out.push(item(coverageExpr(c, minutes), `${c.id} (coverage)`), `        eval_time: ${end}m`,
        `        exp_samples: ${expectCount(truthCount(input.truth, c.truth, end - minutes + 1, end))}`);
    }
  }
  return { text: `${out.join('\n')}\n`, owners };
}
