import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBlocks } from '../../bench/support/sizing-blocks.js';
import { SLOW_FAMILIES } from '../../bench/support/sizing-report.js';
import type { FamilyMeasure, IntervalMeasure, RawDay } from '../../bench/support/sizing-table.js';

/**
 * `npm run bench:sizing` at a small size, so the command cannot rot: 20 sites, 2 hours of simulated time scraped
 * every 60 and 120 s, the real promtool (a missing binary fails the run, it is never skipped), no Prometheus
 * compaction and no recorded-series window (each takes minutes of real time; the full run does both). Checks
 * that the blocks hold exactly the samples written at the scrape times, that unchanged values between
 * collections are what Prometheus stores (slow families cost a fraction of the per-minute ones), and that the
 * table's arithmetic follows from what was measured.
 */
interface Json {
  intervals: number[];
  startSec: number;
  measures: IntervalMeasure[];
  written: Record<string, Record<string, number>>;
  seriesAt: Record<string, Record<string, number>>;
  mismatches: string[];
  costs: Record<string, { name: string; cost: { raw: RawDay; rawGb: number } | null }[]>;
}

const root = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

describe('bench:sizing at 20 sites × 2 h (real simulator, collector, renderer and promtool)', () => {
  let dir: string;
  let work: string;
  let json: Json;
  let stdout: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sizing-bench-test-'));
    const args = ['--import', 'tsx', 'bench/sizing.ts', '--sites', '20', '--hours', '2', '--scrape-interval', '60,120', '--project', '20,40',
      '--recorded-minutes', '0', '--no-compact', '--replicas', '2', '--keep', '--out', dir, '--json', join(dir, 'result.json')];
    ({ stdout } = await run(process.execPath, args, { cwd: root, maxBuffer: 16 * 2 ** 20, timeout: 110_000 }));
    json = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as Json;
    work = join(dir, (await readdir(dir)).find((d) => d.startsWith('mist-sizing-'))!);
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every family block holds exactly the samples written, at the scrape times of the 2-hour block', async () => {
    expect(json.mismatches).toEqual([]);
    for (const interval of [60, 120]) {
      const written = json.written[String(interval)]!;
      expect(Object.keys(written).length).toBeGreaterThanOrEqual(10);
      for (const [family, samples] of Object.entries(written)) {
        const blocks = await readBlocks(join(work, `tsdb-${interval}s`, family));
        expect(blocks, `${interval} s ${family}`).toHaveLength(1);
        const b = blocks[0]!;
        expect(b.numSamples, `${interval} s ${family}`).toBe(samples);
        expect(b.minTime).toBe(json.startSec * 1000);
        // promtool's maxTime is the last sample + 1 ms: the last scrape of the block.
        expect(b.maxTime).toBe((json.startSec + 7200 - interval) * 1000 + 1);
      }
      const m = json.measures.find((x) => x.intervalSeconds === interval)!;
      expect(m.scrapes).toBe(7200 / interval);
      expect(m.families.map((f) => f.samples)).toEqual(m.families.map((f) => written[f.family]));
    }
    expect(stdout).toMatch(/Every block holds exactly the samples written/);
  });

  it('repeats unchanged values between collections: families collected every 10–60 min cost a fraction per sample', () => {
    const m = json.measures.find((x) => x.intervalSeconds === 60)!;
    const bps = (f: FamilyMeasure): number => f.chunkBytes / f.samples;
    const slow = m.families.filter((f) => SLOW_FAMILIES.has(f.family));
    const fast = m.families.filter((f) => !SLOW_FAMILIES.has(f.family));
    expect(slow.length).toBeGreaterThanOrEqual(3);
    const slowBps = slow.reduce((a, f) => a + f.chunkBytes, 0) / slow.reduce((a, f) => a + f.samples, 0);
    const fastBps = fast.reduce((a, f) => a + f.chunkBytes, 0) / fast.reduce((a, f) => a + f.samples, 0);
    expect(slowBps).toBeLessThan(1);
    expect(fastBps).toBeGreaterThan(2 * slowBps);
    for (const f of m.families) expect(bps(f), f.family).toBeGreaterThan(0.1);
  });

  it('the projection follows from the measured numbers (series of a real 40-site render, 2 replicas = 2× one target)', () => {
    const s20 = Object.values(json.seriesAt['20']!).reduce((a, b) => a + b, 0);
    const s40 = Object.values(json.seriesAt['40']!).reduce((a, b) => a + b, 0);
    expect(s40).toBeGreaterThan(1.5 * s20);
    const m = json.measures.find((x) => x.intervalSeconds === 60)!;
    const costs = json.costs['40']!;
    const oneTarget = costs.find((c) => c.name.startsWith('one target, every 60 s') || c.name.startsWith('one target per Prometheus'))!.cost!;
    // By hand: Σ series × 1,440 scrapes × chunk bytes/sample + series × index bytes/series × (24 h / 54 h blocks).
    const series = json.seriesAt['40']!;
    const chunk = m.families.reduce((a, f) => a + (series[f.family] ?? 0) * 1440 * (f.chunkBytes / f.samples), 0);
    const indexPerSeries = m.families.reduce((a, f) => a + f.indexBytes, 0) / Math.max(...m.families.map((f) => f.blocks)) / m.families.reduce((a, f) => a + f.series, 0);
    const index = s40 * indexPerSeries * (24 / 54);
    expect(oneTarget.raw.series).toBe(s40);
    expect(oneTarget.raw.samplesPerDay).toBe(s40 * 1440);
    expect(oneTarget.raw.bytesPerDay).toBeCloseTo(chunk + index, 3);
    expect(oneTarget.rawGb).toBeCloseTo(((chunk + index) * 30) / 1e9, 9);
    const shipped = costs.find((c) => c.name.startsWith('shipped scrape, long-term'))!.cost!;
    expect(shipped.raw.bytesPerDay).toBeCloseTo(2 * oneTarget.raw.bytesPerDay, 3);
    expect(stdout).toContain('Projection: Prometheus (retention 30 d');
  });
});
