/**
 * Recorded series for bench/sizing.ts, measured on the real thing over a short real window: `mist-wan-exporter
 * all` (simulator + collector + exporter, support/all-process.ts) scraped every 30 s by a real Prometheus that
 * evaluates the shipped rules (prometheus/rules/*.yml). After `minutes`, a TSDB snapshot (head included), its
 * recorded samples (`promtool tsdb dump`, names with a colon) turned back into blocks twice — the last k minutes
 * and the last 2k minutes — so that the difference gives the bytes of one more sample in a chunk (the chunk's
 * fixed overhead cancels), and the intercept its overhead per series.
 *
 * What it does not see: the daily groups (they record once a UTC day), and the trailing-hour rules' steady state
 * (their windows are still filling in a short run: their values change more than a day later, so the measure errs
 * high).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { scrapeJob, startPrometheus } from '../../tests/support/prometheus.js';
import { startAll } from './all-process.js';
import { createBlocks, PROMTOOL, readBlocks } from './sizing-blocks.js';
import { sum, type RecordedMeasure } from './sizing-table.js';

const root = new URL('../../', import.meta.url).pathname;

interface Dumped { series: string; name: string; ms: number; value: string }

/** One line of `promtool tsdb dump` (2.42): `{__name__="x", a="b"} 1.5 1690000000000` → OpenMetrics series text. */
export function parseDumpLine(line: string): Dumped | null {
  const end = line.lastIndexOf('} ');
  if (!line.startsWith('{') || end < 0) return null;
  const [value, ms] = line.slice(end + 2).split(' ');
  const pairs: string[] = [];
  let name = '';
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:, )?/gy;
  re.lastIndex = 1;
  for (let m = re.exec(line); m && re.lastIndex <= end + 1; m = re.exec(line)) {
    if (m[1] === '__name__') name = m[2]!;
    else pairs.push(`${m[1]}="${m[2]}"`);
    if (re.lastIndex >= end) break;
  }
  if (!name || value === undefined || ms === undefined) return null;
  return { series: `${name}{${pairs.join(',')}}`, name, ms: Number(ms), value };
}

export interface RecordedRun extends RecordedMeasure {
  readonly sites: number;
  readonly circuits: number;
  readonly minutesHeld: number;
  readonly seriesLastMinute: number;
  readonly windows: { minutes: number; samples: number; series: number; chunkBytes: number }[];
}

export async function measureRecorded(opts: { sites: number; minutes: number; workDir: string; log: (m: string) => void }): Promise<RecordedRun> {
  const dir = join(opts.workDir, 'recorded');
  await mkdir(dir, { recursive: true });
  const all = await startAll(opts.sites);
  let prom: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  try {
    prom = await startPrometheus({
      config: {
        global: { scrape_interval: '30s', evaluation_interval: '1m' },
        scrape_configs: [scrapeJob('mist-wan-exporter', all.url.replace('http://', ''), { interval: '30s', timeout: '25s' })],
        rule_files: [join(root, 'prometheus/rules/*.yml')],
      },
      args: ['--web.enable-admin-api'],
    });
    opts.log(`recorded: ${opts.sites} sites, Prometheus with prometheus/rules/*.yml for ${opts.minutes} real minutes`);
    await new Promise((r) => setTimeout(r, opts.minutes * 60_000));
    const circuits = (await prom.query('count(max without (instance, job) (mist_wan_port_info))'))[0]?.value ?? NaN;
    const snap = (await (await fetch(`${prom.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' })).json()) as { data?: { name: string } };
    if (!snap.data) throw new Error('snapshot failed');
    const snapDir = join(prom.dir, 'data', 'snapshots', snap.data.name);
    // promtool 2.42's dump opens the directory as a read-only TSDB, which wants a WAL directory (a snapshot has none).
    await mkdir(join(snapDir, 'wal'), { recursive: true });
    // Recorded samples only, grouped per series in time order (dump's order).
    const bySeries = new Map<string, { ms: number; value: string }[]>();
    const child = spawn(PROMTOOL, ['tsdb', 'dump', snapDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    for await (const line of createInterface({ input: child.stdout })) {
      if (!line.includes(':')) continue;
      const d = parseDumpLine(line);
      if (!d || !d.name.includes(':')) continue;
      const list = bySeries.get(d.series) ?? [];
      list.push({ ms: d.ms, value: d.value });
      bySeries.set(d.series, list);
    }
    if (bySeries.size === 0) throw new Error(`no recorded series in the snapshot after ${opts.minutes} min (promtool tsdb dump ${snapDir})`);
    const lastMs = Math.max(...[...bySeries.values()].map((l) => l[l.length - 1]!.ms));
    const heldMin = Math.floor((lastMs - Math.min(...[...bySeries.values()].map((l) => l[0]!.ms))) / 60_000);
    const k = Math.max(1, Math.floor((heldMin - 2) / 2));
    const seriesLastMinute = [...bySeries.values()].filter((l) => l[l.length - 1]!.ms > lastMs - 90_000).length;
    const windows: RecordedRun['windows'] = [];
    for (const minutes of [k, 2 * k]) {
      const from = lastMs - minutes * 60_000 + 1;
      // Only series present through the longer window, so both windows hold the same series.
      const file = join(dir, `recorded-${minutes}.om`);
      const out = createWriteStream(file);
      let samples = 0;
      let series = 0;
      for (const [s, list] of bySeries) {
        if (list[0]!.ms > lastMs - 2 * k * 60_000 + 1 || list[list.length - 1]!.ms <= lastMs - 90_000) continue;
        const lines = list.filter((p) => p.ms >= from).map((p) => `${s} ${p.value} ${(p.ms / 1000).toFixed(3)}\n`);
        samples += lines.length;
        series += 1;
        if (!out.write(lines.join(''))) await once(out, 'drain');
      }
      out.end('# EOF\n');
      await once(out, 'finish');
      const blocksDir = join(dir, `blocks-${minutes}`);
      await createBlocks(file, blocksDir);
      const blocks = await readBlocks(blocksDir);
      windows.push({ minutes, samples, series, chunkBytes: sum(blocks.map((b) => b.chunkBytes)) });
      if (minutes === 2 * k) {
        const indexBytesPerSeries = sum(blocks.map((b) => b.indexBytes)) / Math.max(1, sum(blocks.map((b) => b.numSeries)));
        const [a, b] = windows as [RecordedRun['windows'][0], RecordedRun['windows'][0]];
        const bytesPerSample = (b.chunkBytes - a.chunkBytes) / Math.max(1, b.samples - a.samples);
        const chunkOverheadPerSeries = (a.chunkBytes - a.samples * bytesPerSample) / Math.max(1, a.series);
        return {
          sites: opts.sites, circuits, minutesHeld: heldMin, seriesLastMinute, windows,
          perMinuteSeriesPerCircuit: seriesLastMinute / circuits, bytesPerSample, chunkOverheadPerSeries, indexBytesPerSeries,
          source: `real rules on a real Prometheus, ${opts.sites} sites, ${heldMin} min held, windows ${k} / ${2 * k} min`,
        };
      }
    }
    throw new Error('unreachable');
  } finally {
    await prom?.stop();
    await all.stop();
  }
}
