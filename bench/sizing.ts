/**
 * Storage sizing, measured (issue J): one simulated day of the org's exporter output, scrape by scrape with
 * timestamps, turned into TSDB blocks by promtool and compacted by a real Prometheus; bytes per sample and per day
 * per family; Prometheus disk for 30 days of raw series and 13 months of recorded series at other org sizes.
 *
 * Run: npm run bench:sizing [-- --sites 3208 --hours 24 --scrape-interval 30,60 --out DIR
 *                               --project 3208,10000 --replicas 2 --retention-days 30 --long-term-days 395
 *                               --recorded-sites 200 --recorded-minutes 20 --compact --goal-gb 100 --json FILE]
 *
 * Raw series (support/sizing-pipeline.ts): the simulator, the real collector's cycles on their default intervals and
 * the exporter's renderer, on a virtual clock: for every scrape time the clock moves there, the collections due run,
 * the families whose generation changed are re-rendered, and every family's sample lines are written with that
 * timestamp (unchanged families repeat their values, as Prometheus stores them). Files are cut on the 2-hour block
 * grid, one per family, and promtool turns each into a block in that family's directory while the next piece is
 * generated (support/sizing-blocks.ts). Then a real Prometheus opens each interval's blocks with
 * --storage.tsdb.retention.time=<retention> and compacts them until it settles.
 * Recorded series (support/sizing-recorded.ts): the shipped rules on a real Prometheus over a short real window.
 * Projection (support/sizing-table.ts): series per family at each projected size from a real render at that size.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { BLOCK_SECONDS, compactWithPrometheus, createBlocks, gatherBlocks, PieceWriter, readBlocks, type BlockInfo } from './support/sizing-blocks.js';
import { openSizingPipeline } from './support/sizing-pipeline.js';
import { measureRecorded, type RecordedRun } from './support/sizing-recorded.js';
import { report, scenarioCost, scenarios, type SizingResult } from './support/sizing-report.js';
import { sum, type FamilyMeasure, type IntervalMeasure } from './support/sizing-table.js';

const { values } = parseArgs({
  options: {
    sites: { type: 'string', default: '3208' },
    hours: { type: 'string', default: '24' },
    'scrape-interval': { type: 'string', default: '30,60' },
    out: { type: 'string' },
    project: { type: 'string', default: '3208,10000' },
    replicas: { type: 'string', default: '2' },
    'retention-days': { type: 'string', default: '30' },
    'long-term-days': { type: 'string', default: '395' },
    'recorded-sites': { type: 'string', default: '200' },
    'recorded-minutes': { type: 'string', default: '20' },
    compact: { type: 'boolean', default: true },
    'no-compact': { type: 'boolean', default: false },
    'goal-gb': { type: 'string', default: '100' },
    start: { type: 'string', default: '1789999200' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    report: { type: 'string' },
  },
});

// --report FILE: print the report of an earlier run's --json again (no measurement).
if (values.report) {
  const saved = JSON.parse(await readFile(values.report, 'utf8')) as SizingResult & Record<string, unknown>;
  const maps = <V>(o: unknown, f: (v: unknown) => V): Map<number, V> => new Map(Object.entries(o as Record<string, unknown>).map(([k, v]) => [Number(k), f(v)]));
  const inner = (v: unknown): Map<string, number> => new Map(Object.entries(v as Record<string, number>));
  const revived: SizingResult = { ...saved, seriesAt: maps(saved.seriesAt, inner), circuitsAt: maps(saved.circuitsAt, (v) => Number(v)), written: maps(saved.written, inner) };
  console.log(report(revived));
  process.exit(0);
}
const sites = Number(values.sites);
const hours = Number(values.hours);
const intervals = values['scrape-interval'].split(',').map(Number).sort((a, b) => a - b);
const startSec = Number(values.start);
const compact = values.compact && !values['no-compact'];
const recordedMinutes = Number(values['recorded-minutes']);
// A directory of its own under --out (removed at the end unless --keep): the OpenMetrics pieces and the blocks.
const out = join(resolve(values.out ?? tmpdir()), `mist-sizing-${process.pid}`);
const problems: string[] = [];
if (!(sites >= 1)) problems.push('--sites must be ≥ 1');
if (!(hours >= 2 && hours % 2 === 0)) problems.push('--hours must be a positive multiple of 2 (the block grid)');
if (intervals.some((i) => !(i >= 1 && BLOCK_SECONDS % i === 0 && i % intervals[0]! === 0))) problems.push('--scrape-interval: each must divide 7200 s and be a multiple of the smallest');
if (startSec % BLOCK_SECONDS !== 0) problems.push('--start must be on the 2-hour grid (a multiple of 7200)');
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(2);
}

const t0 = performance.now();
const progress = (msg: string): void => void process.stderr.write(`[bench:sizing ${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${msg}\n`);
const log = pino({ level: 'error' });
const load0 = loadavg();
await mkdir(out, { recursive: true });

// Recorded series: real time, so it runs beside the virtual-clock generation.
const recorded: Promise<RecordedRun | null> = recordedMinutes > 0
  ? measureRecorded({ sites: Number(values['recorded-sites']), minutes: recordedMinutes, workDir: out, log: progress })
  : Promise.resolve(null);
recorded.catch(() => undefined);

progress(`${sites} sites: building the simulated org; ${hours} h from ${new Date(startSec * 1000).toISOString()}, scrapes every ${intervals.join(', ')} s; work dir ${out}`);
const pipeline = await openSizingPipeline({ sites, startSec, log });
const generated = new Map<number, Map<string, number>>(intervals.map((i) => [i, new Map()]));
const seriesMeasured = new Map<string, number>();
let promtoolMs = 0;
let promtoolQueue = Promise.resolve();
const familyDir = (interval: number, family: string): string => join(out, `tsdb-${interval}s`, family);
try {
  const step = intervals[0]!;
  for (let piece = 0; piece < hours / 2; piece++) {
    const pieceStart = startSec + piece * BLOCK_SECONDS;
    const writers = new Map(intervals.map((i) => [i, new PieceWriter(join(out, 'om'), `${piece}.${i}s`)]));
    await mkdir(join(out, 'om'), { recursive: true });
    for (let t = pieceStart; t < pieceStart + BLOCK_SECONDS; t += step) {
      await pipeline.stepTo(t);
      const templates = pipeline.templates();
      for (const [i, w] of writers) if ((t - startSec) % i === 0) w.scrape(templates, t);
    }
    // promtool works on this piece while the next one is generated; the disk holds at most two pieces.
    const previous = promtoolQueue;
    for (const [i, w] of writers) {
      for (const f of w.close()) {
        const g = generated.get(i)!;
        g.set(f, (g.get(f) ?? 0) + w.samples.get(f)!);
        seriesMeasured.set(f, w.series.get(f)!);
        const file = w.file(f);
        promtoolQueue = promtoolQueue.then(async () => {
          promtoolMs += await createBlocks(file, familyDir(i, f));
        });
      }
    }
    await previous;
    const s = pipeline.stats;
    progress(`piece ${piece + 1}/${hours / 2} written (${s.cycles} collection cycles, ${s.failed} failed; collect ${(s.collectMs / 1000).toFixed(0)} s, render ${(s.renderMs / 1000).toFixed(0)} s, promtool ${(promtoolMs / 1000).toFixed(0)} s)`);
  }
  await promtoolQueue;
} finally {
  await pipeline.close();
}
const stats = { ...pipeline.stats, promtoolMs };

// Series at the projected sizes: a real render of each (the measured size is already known).
const seriesAt = new Map<number, Map<string, number>>();
const circuitsAt = new Map<number, number>();
for (const s of values.project.split(',').map(Number)) {
  if (s === sites) {
    seriesAt.set(s, seriesMeasured);
    circuitsAt.set(s, pipeline.circuits);
    continue;
  }
  progress(`${s} sites: one collection and render, to count the series`);
  const p = await openSizingPipeline({ sites: s, startSec, log });
  try {
    await p.stepTo(startSec);
    seriesAt.set(s, new Map(p.templates().map((t) => [t.family, t.series])));
    circuitsAt.set(s, p.circuits);
  } finally {
    await p.close();
  }
}

const measures: IntervalMeasure[] = [];
const mismatches: string[] = [];
for (const i of intervals) {
  const families: FamilyMeasure[] = [];
  for (const [family, samples] of generated.get(i)!) {
    const blocks = await readBlocks(familyDir(i, family));
    const f: FamilyMeasure = {
      family, series: seriesMeasured.get(family) ?? 0, samples: sum(blocks.map((b) => b.numSamples)),
      chunkBytes: sum(blocks.map((b) => b.chunkBytes)), indexBytes: sum(blocks.map((b) => b.indexBytes)), blocks: blocks.length,
    };
    if (f.samples !== samples) mismatches.push(`${i} s ${family}: blocks hold ${f.samples} samples, ${samples} were written`);
    families.push(f);
  }
  measures.push({ intervalSeconds: i, scrapes: (hours * 3600) / i, families, compacted: null });
}

let compacted: (BlockInfo[] | null)[] = intervals.map(() => null);
let compaction: SizingResult['compaction'] = [];
if (compact) {
  progress(`a real Prometheus per interval opens the blocks with --storage.tsdb.retention.time=${values['retention-days']}d and compacts them`);
  const results = await Promise.all(intervals.map(async (i) => {
    const dataDir = join(out, `prometheus-${i}s`);
    await gatherBlocks([...generated.get(i)!.keys()].map((f) => familyDir(i, f)), dataDir);
    return compactWithPrometheus(dataDir, `${values['retention-days']}d`, { log: (m) => progress(`${i} s: ${m}`) });
  }));
  compacted = results.map((r) => r.blocks);
  compaction = results.map((r, k) => ({ intervalSeconds: intervals[k]!, waitedSeconds: r.waitedSeconds, compactions: r.compactions, failed: r.failed }));
  for (const [k, r] of results.entries()) {
    const want = sum([...generated.get(intervals[k]!)!.values()]);
    const got = sum(r.blocks.map((b) => b.numSamples));
    if (got !== want) mismatches.push(`${intervals[k]} s after compaction: ${got} samples, ${want} written`);
  }
}
const withCompaction = measures.map((m, k) => ({ ...m, compacted: compacted[k] ?? null }));

progress('waiting for the recorded-series window');
const rec = await recorded;

const result: SizingResult = {
  sites, hours, startSec, intervals, replicas: Number(values.replicas), retentionDays: Number(values['retention-days']),
  longTermDays: Number(values['long-term-days']), goalGb: Number(values['goal-gb']),
  measures: withCompaction, written: generated, seriesAt, circuitsAt, measuredCircuits: pipeline.circuits, recorded: rec, stats, compaction, mismatches,
  machine: `node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  wallSeconds: (performance.now() - t0) / 1000,
  command: `npm run bench:sizing -- ${process.argv.slice(2).join(' ')}`.trim(),
};
console.log(report(result));
if (values.json) {
  const costs = Object.fromEntries([...seriesAt.keys()].map((s) => [s, scenarios(result).map((sc) => ({ name: sc.name, cost: scenarioCost(result, s, sc) }))]));
  await writeFile(values.json, JSON.stringify({ ...result, costs }, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v), 2));
}
if (!values.keep) await rm(out, { recursive: true, force: true });
if (mismatches.length > 0) {
  console.error(`FAIL: ${mismatches.join('; ')}`);
  process.exit(1);
}
