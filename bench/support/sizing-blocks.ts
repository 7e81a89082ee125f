/**
 * TSDB blocks for bench/sizing.ts: OpenMetrics files in 2-hour pieces → `promtool tsdb create-blocks-from
 * openmetrics` (one output directory per family, so each family's bytes are its own), the blocks' meta.json and
 * sizes, and a real Prometheus opening them with a given retention until its compactions settle.
 *
 * Why 2-hour pieces: promtool 2.42 mmaps its whole input file and parses it once for the time range and once per
 * 2-hour block it writes, so a day in one file would be tens of GB read 13 times. A piece aligned on the 2-hour
 * grid is one block; each input file is deleted once promtool has turned it into a block.
 */
import { execFile } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPrometheus } from '../../tests/support/prometheus.js';
import type { FamilyTemplate } from './sizing-pipeline.js';

const run = promisify(execFile);
export const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';
export const BLOCK_SECONDS = 7200;

export interface BlockInfo {
  readonly ulid: string;
  readonly minTime: number;
  readonly maxTime: number;
  readonly level: number;
  readonly numSamples: number;
  readonly numSeries: number;
  readonly numChunks: number;
  readonly chunkBytes: number;
  readonly indexBytes: number;
  /** Everything in the block directory (chunks, index, meta.json, tombstones). */
  readonly totalBytes: number;
}

/** One family's OpenMetrics file of one 2-hour piece: the current templates, stamped per scrape. */
export class PieceWriter {
  private readonly fds = new Map<string, number>();
  readonly samples = new Map<string, number>();
  readonly series = new Map<string, number>();

  constructor(private readonly dir: string, private readonly tag: string) {}

  file(family: string): string {
    return join(this.dir, `${family}.${this.tag}.om`);
  }

  /** Appends one scrape at `atSec` of every family. */
  scrape(templates: readonly FamilyTemplate[], atSec: number): void {
    const ts = Buffer.from(String(atSec));
    if (ts.length !== 10) throw new Error(`timestamp ${atSec} is not 10 digits`);
    for (const t of templates) {
      for (let i = 0; i < t.slots.length; i++) ts.copy(t.body, t.slots[i]!);
      let fd = this.fds.get(t.family);
      if (fd === undefined) {
        fd = openSync(this.file(t.family), 'w');
        this.fds.set(t.family, fd);
      }
      writeSync(fd, t.body);
      this.samples.set(t.family, (this.samples.get(t.family) ?? 0) + t.series);
      this.series.set(t.family, t.series);
    }
  }

  /** Ends every file with `# EOF`; returns the families written. */
  close(): string[] {
    for (const fd of this.fds.values()) {
      writeSync(fd, '# EOF\n');
      closeSync(fd);
    }
    return [...this.fds.keys()];
  }
}

/** promtool turns one file into blocks in `outDir`; the file is deleted afterwards. Returns promtool's wall ms. */
export async function createBlocks(file: string, outDir: string): Promise<number> {
  const started = performance.now();
  await mkdir(outDir, { recursive: true });
  try {
    await run(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, outDir], { maxBuffer: 16 * 2 ** 20 });
  } finally {
    await rm(file, { force: true });
  }
  return performance.now() - started;
}

async function dirBytes(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const e of await readdir(path)) total += await dirBytes(join(path, e));
  return total;
}

/** Every block (a directory with meta.json) directly under `dir`. */
export async function readBlocks(dir: string): Promise<BlockInfo[]> {
  const out: BlockInfo[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const meta = await readFile(join(dir, name, 'meta.json'), 'utf8').catch(() => null);
    if (meta === null) continue;
    const m = JSON.parse(meta) as { ulid: string; minTime: number; maxTime: number; stats?: { numSamples?: number; numSeries?: number; numChunks?: number }; compaction?: { level?: number } };
    out.push({
      ulid: m.ulid, minTime: m.minTime, maxTime: m.maxTime, level: m.compaction?.level ?? 1,
      numSamples: m.stats?.numSamples ?? 0, numSeries: m.stats?.numSeries ?? 0, numChunks: m.stats?.numChunks ?? 0,
      chunkBytes: await dirBytes(join(dir, name, 'chunks')),
      indexBytes: (await stat(join(dir, name, 'index'))).size,
      totalBytes: await dirBytes(join(dir, name)),
    });
  }
  return out;
}

/** Moves every block of `fromDirs` into `dataDir` (one TSDB: Prometheus merges the overlapping ones). */
export async function gatherBlocks(fromDirs: readonly string[], dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  for (const from of fromDirs) {
    for (const b of await readBlocks(from)) await rename(join(from, b.ulid), join(dataDir, b.ulid));
  }
}

export interface CompactionResult {
  readonly blocks: BlockInfo[];
  readonly waitedSeconds: number;
  readonly compactions: number;
  readonly failed: number;
}

async function promMetrics(url: string): Promise<{ compactions: number; failed: number; blocks: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const pick = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    compactions: pick('prometheus_tsdb_compactions_total'),
    failed: pick('prometheus_tsdb_compactions_failed_total'),
    blocks: pick('prometheus_tsdb_blocks_loaded'),
  };
}

/**
 * A real Prometheus opens `dataDir` with `retention` and runs its own compaction (it plans every minute: overlapping
 * blocks merge first, then 2 h → 6 h → 18 h → 54 h … up to 10 % of the retention). Settled: no new compaction and
 * the same number of blocks over `quietSeconds` (longer than its 1-minute cycle), at least one cycle after start.
 */
export async function compactWithPrometheus(dataDir: string, retention: string, opts: { quietSeconds?: number; timeoutSeconds?: number; log?: (m: string) => void } = {}): Promise<CompactionResult> {
  const quiet = (opts.quietSeconds ?? 75) * 1000;
  const started = Date.now();
  const prom = await startPrometheus({ config: { global: { scrape_interval: '1m' }, scrape_configs: [] }, dataDir, args: [`--storage.tsdb.retention.time=${retention}`], readyTimeoutMs: 600_000 });
  let last = await promMetrics(prom.url);
  let since = Date.now();
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 5_000));
      const now = await promMetrics(prom.url);
      if (now.compactions !== last.compactions || now.blocks !== last.blocks) {
        opts.log?.(`compaction: ${now.compactions} done, ${now.blocks} blocks loaded`);
        last = now;
        since = Date.now();
      }
      if (Date.now() - since >= quiet && Date.now() - started >= 70_000) break;
      if (Date.now() - started > (opts.timeoutSeconds ?? 1800) * 1000) throw new Error(`compaction did not settle in ${opts.timeoutSeconds ?? 1800} s`);
    }
  } finally {
    await prom.stop();
  }
  return { blocks: await readBlocks(dataDir), waitedSeconds: (Date.now() - started) / 1000, compactions: last.compactions, failed: last.failed };
}
