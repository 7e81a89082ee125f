/**
 * Load benchmark (issue I): 50 concurrent scrapers for 60 s against the simulator's 3,208-site org while the
 * collector keeps collecting (every family every 30 s, so snapshots re-render during the window), in `exporter`
 * mode (collector and exporter processes on Redis) and in the embedded default `all` (collector and exporter in
 * one process, in-process store). Each mode's latency is set beside a static-buffer baseline measured in the
 * same run: a bare node:http server in its own process serving the exporter's own gzip bytes, scraped by the same
 * scrapers for half the window before and half after the exporter's window (so drift on a shared machine hits
 * both alike).
 *
 * Run: npm run bench:load [-- --seconds 60 --scrapers 50 --sites 3208 --modes exporter,all --warmup 5
 *                              --interval 30 --refresh 5 --timeout 10]
 * Quick: npm run bench:load -- --seconds 15 --scrapers 8
 *
 * Every scrape is checked complete (HTTP 200, gzip, exactly Content-Length bytes) within --timeout seconds
 * (Prometheus' default scrape timeout): any error fails the bench (exit 1), as does a p99 over 2× the static
 * buffer's or a window in which no collection cycle completed. The collector/exporter processes preload
 * support/probe.ts, so the report also shows their event-loop delay, GC pauses and main-thread CPU during the
 * window (BENCH_NODE_FLAGS adds node flags to them, e.g. --cpu-prof).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRedisServer, type RedisServer } from '../tests/support/redis.js';
import { spawn } from './support/ipc.js';
import type { ProbeSample } from './support/probe.js';
import { lastSuccesses, startSim, startStack, type Mode, type Stack } from './support/stack.js';
import { mergeLoads, timedLoad, type TimedLoadResult } from './support/timed-load.js';

const { values } = parseArgs({
  options: {
    sites: { type: 'string', default: '3208' },
    scrapers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    modes: { type: 'string', default: 'exporter,all' },
    interval: { type: 'string', default: '30' },
    refresh: { type: 'string', default: '5' },
    timeout: { type: 'string', default: '10' },
  },
});
const sites = Number(values.sites);
const scrapers = Number(values.scrapers);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const modes = values.modes.split(',').map((m) => m.trim()) as Mode[];
const intervalSeconds = Number(values.interval);
const timeoutMs = Number(values.timeout) * 1000;
for (const m of modes) if (m !== 'exporter' && m !== 'all') throw new Error(`--modes: ${m} is neither exporter nor all`);

const TARGET_RATIO = 2;

const t0 = performance.now();
const progress = (msg: string): void => void process.stderr.write(`[bench:load ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
const load1 = (): string => loadavg()[0]!.toFixed(2);

interface Row {
  mode: Mode;
  exporter: TimedLoadResult;
  static: TimedLoadResult;
  /** Collection cycles completed (a family's last success moved) during the exporter's window. */
  cycles: number;
  /** The serving process's probe samples during the exporter's window (`exporter` or `all`). */
  probe: ProbeSample[];
  load: { before: string; after: string };
}

/** Counts families' last-success changes, polling the exporter's self-metrics every second until stopped. */
function watchCycles(url: string): { stop(): Promise<number> } {
  let stopped = false;
  let cycles = 0;
  const loop = (async () => {
    let last = await lastSuccesses(url).catch(() => new Map<string, number>());
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = await lastSuccesses(url).catch(() => null);
      if (!now) continue;
      for (const [family, at] of now) if (last.has(family) && last.get(family) !== at) cycles += 1;
      last = now;
    }
  })();
  return { async stop() {
    stopped = true;
    await loop;
    return cycles;
  } };
}

async function measure(mode: Mode, simUrl: string, redis: RedisServer | null): Promise<Row> {
  const probeDir = await mkdtemp(join(tmpdir(), 'bench-load-'));
  progress(`${mode}: starting (${mode === 'all' ? 'one `all` process, in-process store' : 'collector + exporter processes on Redis'}), every family every ${intervalSeconds} s; waiting for every family`);
  let stack: Stack | undefined;
  const stat = spawn(new URL('./support/static-process.ts', import.meta.url).pathname, []);
  try {
    await stat.first();
    stack = await startStack(mode, { simUrl, redisUrl: redis?.url, prefix: `bench:load:${mode}:`, intervalSeconds, probeDir, refreshSeconds: Number(values.refresh) });
    const { url: staticUrl, bytes } = await stat.call<{ url: string; bytes: number }>('serve', { exporterUrl: stack.url });
    const before = load1();
    const half = Math.max(1, Math.round(seconds / 2));
    progress(`${mode}: ready; static buffer (${(bytes / 2 ** 20).toFixed(1)} MiB gzip), ${scrapers} scrapers × ${half} s (load ${before})`);
    const staticA = await timedLoad(staticUrl, { scrapers, seconds: half, warmupSeconds: warmup, timeoutMs });
    progress(`${mode}: exporter, ${scrapers} scrapers × ${seconds} s (load ${load1()})`);
    const probeName = mode === 'all' ? 'all' : 'exporter';
    const watch = watchCycles(stack.url);
    const from = Date.now() + warmup * 1000;
    const exporter = await timedLoad(`${stack.url}/metrics`, { scrapers, seconds, warmupSeconds: warmup, timeoutMs });
    const to = Date.now();
    const cycles = await watch.stop();
    progress(`${mode}: static buffer again, ${scrapers} scrapers × ${half} s (load ${load1()})`);
    const staticB = await timedLoad(staticUrl, { scrapers, seconds: half, warmupSeconds: warmup, timeoutMs });
    const probe = stack.probe(probeName).filter((s) => s.t > from && s.t <= to + 1_000);
    return { mode, exporter, static: mergeLoads(staticA, staticB), cycles, probe, load: { before, after: load1() } };
  } finally {
    await stack?.stop();
    await stat.call('stop').catch(() => undefined);
    stat.kill();
    await rm(probeDir, { recursive: true, force: true });
  }
}

const loadStart = loadavg();
const rows: Row[] = [];
const redis = modes.includes('exporter') ? await startRedisServer() : null;
progress(`${sites} sites: starting the simulator`);
const sim = await startSim(sites);
try {
  for (const mode of modes) rows.push(await measure(mode, sim.url, redis));
} finally {
  await sim.proc.stop();
  await redis?.stop();
}

// ---- report ----
const ms = (n: number): string => (n < 10 ? n.toFixed(1) : n.toFixed(0));
const lat = (r: TimedLoadResult): string => `${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.max)}`;
const maxOf = (xs: readonly number[]): number => (xs.length === 0 ? NaN : Math.max(...xs));
const errs = (r: TimedLoadResult): string => (r.errors === 0 ? '0' : `${r.errors} (${Object.entries(r.errorKinds).map(([k, n]) => `${k}: ${n}`).join(', ')})`);
const cpuShare = (p: readonly ProbeSample[]): string => {
  if (p.length < 2) return '-';
  const span = p.at(-1)!.t - p[0]!.t;
  return `${((100 * p.slice(1).reduce((s, x) => s + x.mainCpuMs, 0)) / span).toFixed(0)}% / ${((100 * p.slice(1).reduce((s, x) => s + x.cpuMs, 0)) / span).toFixed(0)}%`;
};
const lines: [string, (r: Row) => string][] = [
  ['exporter p50 / p99 / max, ms', (r) => lat(r.exporter)],
  ['static buffer p50 / p99 / max, ms', (r) => lat(r.static)],
  [`exporter p99 / static p99 (target ≤ ${TARGET_RATIO})`, (r) => (r.exporter.p99 / r.static.p99).toFixed(2)],
  ['exporter p50 / static p50', (r) => (r.exporter.p50 / r.static.p50).toFixed(2)],
  ['scrapes: exporter; static', (r) => `${r.exporter.scrapes}; ${r.static.scrapes}`],
  ['scrapes/s: exporter; static', (r) => `${(r.exporter.scrapes / (r.exporter.wallMs / 1000)).toFixed(0)}; ${(r.static.scrapes / (r.static.wallMs / 1000)).toFixed(0)}`],
  ['errors: exporter; static', (r) => `${errs(r.exporter)}; ${errs(r.static)}`],
  ['gzip body, MiB', (r) => (r.exporter.bytes / 2 ** 20).toFixed(1)],
  ['collection cycles completed in the window', (r) => String(r.cycles)],
  ['serving process: event-loop delay max, ms', (r) => ms(maxOf(r.probe.map((s) => s.eld.max)))],
  ['  worst one-second p99 / median one-second p99, ms', (r) => {
    const p99s = r.probe.map((s) => s.eld.p99).sort((a, b) => a - b);
    return p99s.length === 0 ? '-' : `${ms(p99s.at(-1)!)} / ${ms(p99s[Math.floor(p99s.length / 2)]!)}`;
  }],
  ['  GC pause max, ms; GC time share', (r) => {
    const span = r.probe.length < 2 ? NaN : r.probe.at(-1)!.t - r.probe[0]!.t;
    return `${ms(maxOf(r.probe.map((s) => s.gc.maxMs)))}; ${((100 * r.probe.slice(1).reduce((s, x) => s + x.gc.totalMs, 0)) / span).toFixed(1)}%`;
  }],
  ['  CPU of a core: main thread / whole process', (r) => cpuShare(r.probe)],
  ['  RSS at the end, MiB', (r) => (r.probe.length === 0 ? '-' : (r.probe.at(-1)!.rss / 2 ** 20).toFixed(0))],
  ['load average (1 min) before; after', (r) => `${r.load.before}; ${r.load.after}`],
];
const head = ['', ...rows.map((r) => r.mode)];
const width0 = Math.max(...lines.map(([l]) => l.length));
const widths = rows.map((r, i) => Math.max(head[i + 1]!.length, ...lines.map(([, f]) => f(r).length)));
const line = (cells: string[]): string => `| ${cells[0]!.padEnd(width0)} | ${cells.slice(1).map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;

console.log(`\nmist-wan-exporter load benchmark — ${sites} sites, node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ` +
  `load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`${scrapers} concurrent keep-alive scrapers (gzip, back to back) for ${seconds} s after ${warmup} s of warm-up; the static buffer ${Math.round(seconds / 2)} s before and ${Math.round(seconds / 2)} s after. ` +
  `Collection: every family every ${intervalSeconds} s, exporter refresh ${values.refresh} s.\n`);
console.log(line(head));
console.log(`|${'-'.repeat(width0 + 2)}|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`);
for (const [label, f] of lines) console.log(line([label, ...rows.map(f)]));

const verdicts: { ok: boolean; text: string }[] = [];
for (const r of rows) {
  const ratio = r.exporter.p99 / r.static.p99;
  verdicts.push({ ok: r.exporter.errors === 0 && r.static.errors === 0, text: `${r.mode}: no scrape failed (${r.exporter.scrapes} exporter, ${r.static.scrapes} static; errors ${errs(r.exporter)} / ${errs(r.static)})` });
  verdicts.push({ ok: ratio <= TARGET_RATIO, text: `${r.mode}: p99 within ${TARGET_RATIO}× of the static buffer (${ms(r.exporter.p99)} vs ${ms(r.static.p99)} ms: ${ratio.toFixed(2)}×)` });
  verdicts.push({ ok: r.cycles > 0, text: `${r.mode}: snapshots re-rendered during the window (${r.cycles} collection cycles completed)` });
}
console.log('');
for (const v of verdicts) console.log(`${v.ok ? 'PASS' : 'FAIL'}  ${v.text}`);
console.log(`\ntotal bench time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exitCode = verdicts.every((v) => v.ok) ? 0 : 1;
