/**
 * The printed report of bench/sizing.ts: what was measured (per family and interval, the compacted blocks, the
 * recorded series) and the projection table (Prometheus disk for the raw retention + a long-term store of the
 * recorded series) at each projected org size, with the paths that bring it under the goal.
 */
import { FAMILIES } from '../../src/families/registry.js';
import type { BlockInfo } from './sizing-blocks.js';
import type { RecordedRun } from './sizing-recorded.js';
import {
  chunkBytesPerSample, gb, indexBytesPerSeriesBlock, int, maxBlockHours, rawDay, recordedDay, sum, table,
  type IntervalMeasure, type RawDay,
} from './sizing-table.js';

export interface SizingResult {
  sites: number;
  hours: number;
  startSec: number;
  intervals: number[];
  replicas: number;
  retentionDays: number;
  longTermDays: number;
  goalGb: number;
  measures: IntervalMeasure[];
  /** Samples written to the OpenMetrics files: interval → family → samples. */
  written: Map<number, Map<string, number>>;
  seriesAt: Map<number, Map<string, number>>;
  circuitsAt: Map<number, number>;
  measuredCircuits: number;
  recorded: RecordedRun | null;
  stats: { cycles: number; failed: number; sleptSeconds: number; renderMs: number; collectMs: number; promtoolMs: number };
  compaction: { intervalSeconds: number; waitedSeconds: number; compactions: number; failed: number }[];
  mismatches: string[];
  machine: string;
  wallSeconds: number;
  command: string;
}

/**
 * Daily recorded series per WAN circuit (`mist_wan_day` + `mist_wan_region_day`): bench:rules' forced evaluation
 * counted about 327,000 at 3,208 sites / 7,592 circuits (docs/performance.md). Not measured here: the daily groups
 * record once a UTC day.
 */
export const DAILY_SERIES_PER_CIRCUIT = 327_000 / 7_592;

/** Families collected every 10 minutes or less often: the shipped prometheus.yml's optional slow job. */
export const SLOW_FAMILIES: ReadonlySet<string> = new Set(FAMILIES.filter((f) => f.defaultIntervalSeconds >= 600).map((f) => f.name));

export interface Scenario {
  readonly name: string;
  /** Raw series: interval → families scraped at it (all families must be covered once). */
  readonly raw: { interval: number; families: ReadonlySet<string> | null }[];
  readonly replicas: number;
  /** Recorded series forwarded to the long-term store for longTermDays: every per-minute one, or the daily ones only. */
  readonly longTerm: 'all' | 'daily';
  /** Families dropped (metric_relabel_configs or no scrape at all). */
  readonly dropped?: ReadonlySet<string>;
}

export interface ScenarioCost {
  readonly raw: RawDay;
  readonly rawGb: number;
  readonly recordedInPromGb: number;
  readonly longTermGb: number;
  readonly totalGb: number;
}

function measureAt(r: SizingResult, interval: number): IntervalMeasure | undefined {
  return r.measures.find((m) => m.intervalSeconds === interval);
}

/** Index per recorded series per block of `blockHours`: from the raw 60 s blocks when compacted (same chunk layout). */
function recordedIndex(r: SizingResult, blockHours: number): number | undefined {
  const m = measureAt(r, 60);
  return m?.compacted ? indexBytesPerSeriesBlock(m, blockHours) : undefined;
}

/** Disk of one scenario at one org size: Prometheus (raw + per-minute recorded, retentionDays) + long-term store. */
export function scenarioCost(r: SizingResult, sites: number, s: Scenario): ScenarioCost | null {
  const series = r.seriesAt.get(sites);
  const circuits = r.circuitsAt.get(sites);
  if (!series || circuits === undefined) return null;
  const promBlockH = maxBlockHours(r.retentionDays);
  const parts: RawDay[] = [];
  for (const part of s.raw) {
    const m = measureAt(r, part.interval);
    if (!m) return null;
    const fams = new Set(m.families.map((f) => f.family).filter((f) => (part.families ? part.families.has(f) : true) && !s.dropped?.has(f)));
    parts.push(rawDay(m, series, s.replicas, promBlockH, fams));
  }
  const raw: RawDay = {
    series: sum(parts.map((p) => p.series)), samplesPerDay: sum(parts.map((p) => p.samplesPerDay)),
    chunkBytesPerDay: sum(parts.map((p) => p.chunkBytesPerDay)), indexBytesPerDay: sum(parts.map((p) => p.indexBytesPerDay)),
    bytesPerDay: sum(parts.map((p) => p.bytesPerDay)), bytesPerSample: 0,
  };
  const rawOut = { ...raw, bytesPerSample: raw.bytesPerDay / Math.max(1, raw.samplesPerDay) };
  const rec = r.recorded;
  const recordedInPromGb = rec ? (recordedDay(rec, circuits, promBlockH, recordedIndex(r, promBlockH)).bytesPerDay * r.retentionDays) / 1e9 : NaN;
  let longTermGb = NaN;
  if (rec) {
    const ltBlockH = maxBlockHours(r.longTermDays);
    if (s.longTerm === 'all') longTermGb = (recordedDay(rec, circuits, ltBlockH, recordedIndex(r, ltBlockH)).bytesPerDay * r.longTermDays) / 1e9;
    else {
      // One sample a day per series; per block of ltBlockH hours: a chunk's overhead and the series' index entry.
      const n = DAILY_SERIES_PER_CIRCUIT * circuits;
      const blocks = (r.longTermDays * 24) / ltBlockH;
      longTermGb = (n * r.longTermDays * rec.bytesPerSample + n * blocks * (rec.chunkOverheadPerSeries + rec.indexBytesPerSeries)) / 1e9;
    }
  }
  const rawGb = (rawOut.bytesPerDay * r.retentionDays) / 1e9;
  return { raw: rawOut, rawGb, recordedInPromGb, longTermGb, totalGb: rawGb + recordedInPromGb + longTermGb };
}

export function scenarios(r: SizingResult): Scenario[] {
  const [fast, mid, slow] = [r.intervals[0]!, r.intervals.includes(60) ? 60 : r.intervals[0]!, r.intervals[r.intervals.length - 1]!];
  const out: Scenario[] = [
    { name: `shipped: every family every ${fast} s, ${r.replicas} exporter replicas scraped, all recorded series kept ${r.longTermDays} d`, raw: [{ interval: fast, families: null }], replicas: r.replicas, longTerm: 'all' },
    { name: `shipped scrape, long-term keeps the daily recorded series only`, raw: [{ interval: fast, families: null }], replicas: r.replicas, longTerm: 'daily' },
    { name: `one target per Prometheus (the exporter Service, not each replica), every ${fast} s, daily long-term`, raw: [{ interval: fast, families: null }], replicas: 1, longTerm: 'daily' },
  ];
  if (mid !== fast) out.push({ name: `one target, every ${mid} s, daily long-term`, raw: [{ interval: mid, families: null }], replicas: 1, longTerm: 'daily' });
  if (slow !== mid) {
    const fastFams = new Set([...(r.seriesAt.values().next().value?.keys() ?? [])].filter((f) => !SLOW_FAMILIES.has(f)));
    out.push({
      name: `one target, per-family jobs: ${[...SLOW_FAMILIES].join(', ')} every ${slow} s, the rest every ${mid} s, daily long-term`,
      raw: [{ interval: mid, families: fastFams }, { interval: slow, families: SLOW_FAMILIES }], replicas: 1, longTerm: 'daily',
    });
  }
  return out;
}

const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '-');
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
const dur = (b: BlockInfo): string => `${((b.maxTime - b.minTime) / 3_600_000).toFixed(0)} h`;

export function report(r: SizingResult): string {
  const out: string[] = [];
  out.push(`\nmist-wan-exporter storage sizing — ${r.machine}`);
  out.push(`Command: ${r.command}`);
  out.push(`Measured: ${int(r.sites)} sites (${int(r.measuredCircuits)} WAN circuits), ${r.hours} h of simulated time from ${new Date(r.startSec * 1000).toISOString()}, ` +
    `scrapes every ${r.intervals.join(' / ')} s; ${int(r.stats.cycles)} collection cycles (${r.stats.failed} failed, ${r.stats.sleptSeconds.toFixed(0)} s of client sleep), ` +
    `collect ${(r.stats.collectMs / 1000).toFixed(0)} s, render ${(r.stats.renderMs / 1000).toFixed(0)} s, promtool ${(r.stats.promtoolMs / 1000).toFixed(0)} s; wall ${(r.wallSeconds / 60).toFixed(1)} min.`);

  out.push('\nRaw series, per family (promtool blocks of 2 h, one directory per family): chunk bytes per sample, index bytes per series per 2 h block\n');
  const fams = r.measures[0]!.families.map((f) => f.family);
  out.push(table(
    ['family', 'series', ...r.measures.flatMap((m) => [`samples @${m.intervalSeconds}s`, `B/sample @${m.intervalSeconds}s`]), 'index B/series/2h'],
    [...fams.map((name) => {
      const ms = r.measures.map((m) => m.families.find((f) => f.family === name)!);
      const first = ms[0]!;
      return [name, int(first.series), ...ms.flatMap((f) => [int(f.samples), f2(chunkBytesPerSample(f))]), int(first.indexBytes / Math.max(1, first.blocks) / Math.max(1, first.series))];
    }), ['all', int(sum(r.measures[0]!.families.map((f) => f.series))), ...r.measures.flatMap((m) => {
      const s = sum(m.families.map((f) => f.samples));
      return [int(s), f2(sum(m.families.map((f) => f.chunkBytes)) / s)];
    }), '']],
  ));

  for (const m of r.measures) {
    if (!m.compacted) continue;
    const c = r.compaction.find((x) => x.intervalSeconds === m.intervalSeconds);
    const total = sum(m.compacted.map((b) => b.totalBytes));
    const samples = sum(m.compacted.map((b) => b.numSamples));
    out.push(`\nAfter a real Prometheus compacted the ${m.intervalSeconds} s blocks (--storage.tsdb.retention.time=${r.retentionDays}d; ${c?.compactions ?? '?'} compactions, ${c?.failed ?? '?'} failed, settled after ${c?.waitedSeconds.toFixed(0) ?? '?'} s): ` +
      `${int(samples)} samples in ${m.compacted.length} blocks, ${gb(total)} GB, ${f2(total / samples)} B/sample (chunks ${f2(sum(m.compacted.map((b) => b.chunkBytes)) / samples)}, index ${f2(sum(m.compacted.map((b) => b.indexBytes)) / samples)})\n`);
    out.push(table(['block', 'span', 'level', 'series', 'samples', 'chunks MB', 'index MB', 'B/sample'], m.compacted.map((b) => [
      b.ulid, dur(b), String(b.level), int(b.numSeries), int(b.numSamples), f1(b.chunkBytes / 1e6), f1(b.indexBytes / 1e6), f2(b.totalBytes / Math.max(1, b.numSamples)),
    ])));
    out.push(`index bytes per series per block: a + b × chunks per series fitted over these blocks → ${int(indexBytesPerSeriesBlock(m, 2))} at 2 h, ${int(indexBytesPerSeriesBlock(m, maxBlockHours(r.retentionDays)))} at ${maxBlockHours(r.retentionDays)} h (the largest block at ${r.retentionDays} d retention)`);
  }

  const rec = r.recorded;
  out.push('\nRecorded series (sampled every minute)\n');
  if (rec) {
    out.push(table(['', 'value'], [
      ['source', rec.source],
      ['recorded series in the last minute / per circuit', `${int(rec.seriesLastMinute)} / ${f1(rec.perMinuteSeriesPerCircuit)}`],
      ...rec.windows.map((w) => [`window ${w.minutes} min: series, samples, chunk bytes`, `${int(w.series)}, ${int(w.samples)}, ${int(w.chunkBytes)}`] as [string, string]),
      ['bytes per added sample (chunks, marginal)', f2(rec.bytesPerSample)],
      ['chunk overhead per series per block, bytes', f1(rec.chunkOverheadPerSeries)],
      ['index bytes per series per block', f1(rec.indexBytesPerSeries)],
      ['daily series per circuit (bench:rules, not measured here)', f1(DAILY_SERIES_PER_CIRCUIT)],
    ]));
  } else out.push('not measured (--recorded-minutes 0): the projection leaves the recorded series out');

  const sizes = [...r.seriesAt.keys()];
  out.push(`\nProjection: Prometheus (retention ${r.retentionDays} d: raw + per-minute recorded series) + long-term store (${r.longTermDays} d of recorded series), GB (1e9 bytes), goal ≤ ${r.goalGb} GB at ${int(r.sites === 3208 ? 3208 : sizes[0]!)} sites\n`);
  out.push(table(['', ...sizes.map((s) => `${int(s)} sites`)], [
    ['raw series on /metrics (one target)', ...sizes.map((s) => int(sum([...r.seriesAt.get(s)!.values()])))],
    ['WAN circuits', ...sizes.map((s) => int(r.circuitsAt.get(s) ?? NaN))],
  ]));
  const scen = scenarios(r);
  const costRows: string[][] = [];
  for (const s of scen) {
    const costs = sizes.map((size) => scenarioCost(r, size, s));
    costRows.push([s.name, ...costs.map((c) => (c ? `${gb(c.totalGb * 1e9)} (raw ${gb(c.rawGb * 1e9)} + rec ${gb(c.recordedInPromGb * 1e9)} + LT ${gb(c.longTermGb * 1e9)})` : '-'))]);
    costRows.push([`  raw: series, samples/day, B/sample, GB/day`, ...costs.map((c) => (c ? `${int(c.raw.series)}, ${int(c.raw.samplesPerDay)}, ${f2(c.raw.bytesPerSample)}, ${gb(c.raw.bytesPerDay)}` : '-'))]);
  }
  out.push('');
  out.push(table(['scenario: total GB (raw 30 d + recorded in Prometheus 30 d + long-term)', ...sizes.map((s) => `${int(s)} sites`)], costRows));
  if (rec) {
    const circ = (s: number): number => r.circuitsAt.get(s) ?? NaN;
    out.push('');
    out.push(table(['recorded series (measured per circuit × circuits)', ...sizes.map((s) => `${int(s)} sites`)], [
      ['per-minute recorded series', ...sizes.map((s) => int(rec.perMinuteSeriesPerCircuit * circ(s)))],
      [`  GB per day / ${r.retentionDays} d in Prometheus`, ...sizes.map((s) => {
        const d = recordedDay(rec, circ(s), maxBlockHours(r.retentionDays), recordedIndex(r, maxBlockHours(r.retentionDays)));
        return `${gb(d.bytesPerDay)} / ${gb(d.bytesPerDay * r.retentionDays)}`;
      })],
      [`  ${r.longTermDays} d of them (long-term, all recorded)`, ...sizes.map((s) => gb(recordedDay(rec, circ(s), maxBlockHours(r.longTermDays), recordedIndex(r, maxBlockHours(r.longTermDays))).bytesPerDay * r.longTermDays))],
      [`daily recorded series, ${r.longTermDays} d`, ...sizes.map((s) => {
        const c = scenarioCost(r, s, { name: '', raw: [], replicas: 1, longTerm: 'daily' });
        return c ? gb(c.longTermGb * 1e9) : '-';
      })],
    ]));
  }
  const goalSize = sizes.includes(3208) ? 3208 : sizes[0]!;
  // What each family costs (one target, raw, the Prometheus retention): where dropping or slowing pays.
  const goalSeries = r.seriesAt.get(goalSize)!;
  out.push(`\nRaw series per family at ${int(goalSize)} sites, one target, ${r.retentionDays} d, GB (chunks + index)\n`);
  out.push(table(['family', 'series', ...r.measures.map((m) => `every ${m.intervalSeconds} s`)], fams.map((name) => [
    name, int(goalSeries.get(name) ?? 0),
    ...r.measures.map((m) => gb(rawDay(m, goalSeries, 1, maxBlockHours(r.retentionDays), new Set([name])).bytesPerDay * r.retentionDays)),
  ])));
  const verdicts = scen.map((s) => {
    const c = scenarioCost(r, goalSize, s);
    if (c && !Number.isFinite(c.totalGb)) return `NOT MEASURED (no recorded series) at ${int(goalSize)} sites: raw alone ${gb(c.rawGb * 1e9)} GB — ${s.name}`;
    return c ? `${c.totalGb <= r.goalGb ? 'WITHIN' : 'OVER  '} ${r.goalGb} GB at ${int(goalSize)} sites: ${gb(c.totalGb * 1e9)} GB — ${s.name}` : `? ${s.name}`;
  });
  out.push(`\n${verdicts.join('\n')}`);
  if (r.mismatches.length > 0) out.push(`\nMISMATCH: ${r.mismatches.join('; ')}`);
  else out.push(`\nEvery block holds exactly the samples written (${r.measures.map((m) => `${int(sum(m.families.map((f) => f.samples)))} @${m.intervalSeconds}s`).join(', ')}).`);
  return out.join('\n');
}
