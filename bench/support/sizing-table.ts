/**
 * The arithmetic of bench/sizing.ts, pure: measured bytes per sample (per family, per scrape interval) and index
 * bytes per series → bytes per day and Prometheus disk for a retention, at other org sizes (their series counted
 * by a real render at that size), and the paths that bring it under a disk goal.
 */
import type { BlockInfo } from './sizing-blocks.js';

export interface FamilyMeasure {
  readonly family: string;
  /** Series per scrape at the measured size. */
  readonly series: number;
  readonly samples: number;
  readonly chunkBytes: number;
  readonly indexBytes: number;
  readonly blocks: number;
}

export interface IntervalMeasure {
  readonly intervalSeconds: number;
  readonly scrapes: number;
  readonly families: readonly FamilyMeasure[];
  /** The same blocks after a real Prometheus compacted them (null: not run). */
  readonly compacted: readonly BlockInfo[] | null;
}

export interface RecordedMeasure {
  /** Recorded series sampled every minute, per circuit (measured at `sites`). */
  readonly perMinuteSeriesPerCircuit: number;
  /** Bytes per sample of those series in full chunks: marginal chunk bytes of a longer window over a shorter one. */
  readonly bytesPerSample: number;
  /** Chunk overhead per series and 2-hour block (the intercept), bytes. */
  readonly chunkOverheadPerSeries: number;
  readonly indexBytesPerSeries: number;
  readonly source: string;
}

export interface ProjectionInput {
  /** Series per family at each projected org size: sites → family → series (from a real render at that size). */
  readonly seriesAt: ReadonlyMap<number, ReadonlyMap<string, number>>;
  /** WAN circuits at each projected size (for the recorded series). */
  readonly circuitsAt: ReadonlyMap<number, number>;
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const GB = 1e9;
/** Prometheus' largest compacted block with a retention R is min(10 % of R, 31 d), in steps 2 h × 3^n: 54 h for 30 d. */
export function maxBlockHours(retentionDays: number): number {
  const cap = Math.min(retentionDays * 24 * 0.1, 31 * 24);
  let h = 2;
  while (h * 3 <= cap) h *= 3;
  return h;
}

/** Chunk bytes per sample of one family at one interval. */
export function chunkBytesPerSample(f: FamilyMeasure): number {
  return f.samples === 0 ? 0 : f.chunkBytes / f.samples;
}

/**
 * Index bytes per series in a block of `blockHours`. An index holds each series once (labels, postings) and one
 * reference per chunk (a chunk holds up to 120 samples), so per series it is a + b × chunks: fitted over the
 * compacted blocks (2 h … the largest Prometheus made) and extrapolated to `blockHours`. Without compacted
 * blocks: the 2-hour blocks' index bytes per series, as if a larger block cost no more per series (low).
 */
export function indexBytesPerSeriesBlock(m: IntervalMeasure, blockHours: number): number {
  const blocks = m.compacted && m.compacted.length > 0 ? m.compacted : null;
  if (!blocks) {
    const series = sum(m.families.map((f) => f.series));
    const blocksPerFamily = Math.max(1, ...m.families.map((f) => f.blocks));
    return sum(m.families.map((f) => f.indexBytes)) / blocksPerFamily / Math.max(1, series);
  }
  const pts = blocks.map((b) => ({ x: b.numChunks / Math.max(1, b.numSeries), y: b.indexBytes / Math.max(1, b.numSeries), h: (b.maxTime - b.minTime) / 3_600_000 }));
  const mx = sum(pts.map((p) => p.x)) / pts.length;
  const my = sum(pts.map((p) => p.y)) / pts.length;
  const sxx = sum(pts.map((p) => (p.x - mx) ** 2));
  const slope = sxx === 0 ? 0 : sum(pts.map((p) => (p.x - mx) * (p.y - my))) / sxx;
  const intercept = my - slope * mx;
  const chunksPerHour = sum(pts.map((p) => p.x)) / sum(pts.map((p) => p.h));
  return intercept + slope * chunksPerHour * blockHours;
}

export interface RawDay {
  readonly series: number;
  readonly samplesPerDay: number;
  readonly chunkBytesPerDay: number;
  /** Index bytes one day adds when blocks span `blockHours`. */
  readonly indexBytesPerDay: number;
  readonly bytesPerDay: number;
  readonly bytesPerSample: number;
}

/**
 * One day of the raw series of `families` (default: all) at an org size, scraped every `m.intervalSeconds` from
 * `replicas` exporter replicas (each replica's series are separate series, same values).
 */
export function rawDay(m: IntervalMeasure, series: ReadonlyMap<string, number>, replicas: number, blockHours: number, families?: ReadonlySet<string>): RawDay {
  const picked = m.families.filter((f) => !families || families.has(f.family));
  const scrapesPerDay = 86_400 / m.intervalSeconds;
  let n = 0;
  let samplesPerDay = 0;
  let chunkBytesPerDay = 0;
  for (const f of picked) {
    const s = (series.get(f.family) ?? 0) * replicas;
    n += s;
    samplesPerDay += s * scrapesPerDay;
    chunkBytesPerDay += s * scrapesPerDay * chunkBytesPerSample(f);
  }
  const indexBytesPerDay = n * indexBytesPerSeriesBlock(m, blockHours) * (24 / blockHours);
  const bytesPerDay = chunkBytesPerDay + indexBytesPerDay;
  return { series: n, samplesPerDay, chunkBytesPerDay, indexBytesPerDay, bytesPerDay, bytesPerSample: samplesPerDay === 0 ? 0 : bytesPerDay / samplesPerDay };
}

/**
 * Recorded series sampled every minute: one day at an org of `circuits` WAN circuits. Their index per series per
 * block: `indexPerSeriesBlock` when given (the raw series scraped every 60 s have the same chunk layout, one
 * chunk per 2 h, fitted over compacted blocks), else the short window's own blocks (2 h or less: low).
 */
export function recordedDay(r: RecordedMeasure, circuits: number, blockHours: number, indexPerSeriesBlock?: number): RawDay {
  const series = r.perMinuteSeriesPerCircuit * circuits;
  const samplesPerDay = series * 1440;
  const chunkBytesPerDay = samplesPerDay * r.bytesPerSample + series * 12 * r.chunkOverheadPerSeries;
  const indexBytesPerDay = series * (indexPerSeriesBlock ?? r.indexBytesPerSeries) * (24 / blockHours);
  const bytesPerDay = chunkBytesPerDay + indexBytesPerDay;
  return { series, samplesPerDay, chunkBytesPerDay, indexBytesPerDay, bytesPerDay, bytesPerSample: bytesPerDay / samplesPerDay };
}

export const gb = (bytes: number): string => {
  if (!Number.isFinite(bytes)) return '-';
  const v = bytes / GB;
  return v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3);
};
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A markdown table with right-aligned number columns. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}
