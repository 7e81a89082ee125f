/**
 * Soak (issue I): the product running for --minutes (default 30) against the simulator's 3,208-site org, the
 * collector collecting every family every --interval seconds (default 30: a production day's re-renders in a
 * fraction of the time) and --scrapers paced scrapers (one gzip scrape each every --every seconds), with each
 * process's RSS, heap and event-loop delay sampled (support/probe.ts) and Redis' `used_memory` read every
 * --sample seconds. Reports a least-squares slope per hour of each, over the samples after --skip minutes of
 * warm-up, and the difference between the last and first third of them (robust to the sawtooth of
 * generations being staged and published).
 *
 * Run: npm run bench:soak [-- --minutes 30 --mode exporter|all --sites 3208 --scrapers 2 --every 5 --interval 30
 *                              --sample 10 --skip 5]
 *
 * Exit 1 when a scrape failed or a process died. The slopes are printed, not judged by the exit code: over a
 * short run a sawtooth moves a slope more than a leak would (docs/performance.md, "Soak").
 */
import { Agent } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer } from '../tests/support/redis.js';
import { percentile } from './support/load.js';
import type { ProbeSample } from './support/probe.js';
import { startSim, startStack, type Mode } from './support/stack.js';
import { scrapeChecked } from './support/timed-load.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    mode: { type: 'string', default: 'exporter' },
    sites: { type: 'string', default: '3208' },
    scrapers: { type: 'string', default: '2' },
    every: { type: 'string', default: '5' },
    interval: { type: 'string', default: '30' },
    sample: { type: 'string', default: '10' },
    skip: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const mode = values.mode as Mode;
if (mode !== 'exporter' && mode !== 'all') throw new Error(`--mode: ${values.mode} is neither exporter nor all`);
const sampleMs = Number(values.sample) * 1000;
const skipMinutes = values.skip !== undefined ? Number(values.skip) : Math.min(5, minutes / 5);

const t0 = performance.now();
const progress = (msg: string): void => void process.stderr.write(`[bench:soak ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);

/** Least-squares slope of (t ms, y), per hour. */
function slopePerHour(points: readonly { t: number; y: number }[]): number {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? NaN : (num / den) * 3_600_000;
}

/** Mean of the last third minus mean of the first third. */
function thirds(points: readonly { y: number }[]): number {
  const k = Math.floor(points.length / 3);
  if (k === 0) return NaN;
  const mean = (xs: readonly { y: number }[]): number => xs.reduce((s, p) => s + p.y, 0) / xs.length;
  return mean(points.slice(-k)) - mean(points.slice(0, k));
}

const redis = mode === 'exporter' ? await startRedisServer() : null;
const probeDir = await mkdtemp(join(tmpdir(), 'bench-soak-'));
const loadStart = loadavg();
progress(`${values.sites} sites: starting the simulator`);
const sim = await startSim(Number(values.sites));
const redisSamples: { t: number; y: number }[] = [];
const latencies: number[] = [];
const errorKinds: Record<string, number> = {};
let errors = 0;
let died: string | null = null;
const probes: Record<string, ProbeSample[]> = {};
try {
  progress(`${mode}: starting; every family every ${values.interval} s`);
  const stack = await startStack(mode, { simUrl: sim.url, redisUrl: redis?.url, prefix: 'bench:soak:', intervalSeconds: Number(values.interval), probeDir, probeMs: sampleMs });
  const started = Date.now();
  const end = started + minutes * 60_000;
  progress(`${mode}: ready; soaking for ${minutes} min (${values.scrapers} scrapers, one scrape each every ${values.every} s)`);
  const client = redis ? new Redis(redis.url) : null;
  const agent = new Agent({ keepAlive: true });
  try {
    const scraper = async (): Promise<void> => {
      while (Date.now() < end && died === null) {
        const next = Date.now() + Number(values.every) * 1000;
        const o = await scrapeChecked(`${stack.url}/metrics`, agent, 10_000);
        if (o.ok) latencies.push(o.ms);
        else {
          errors += 1;
          errorKinds[o.kind] = (errorKinds[o.kind] ?? 0) + 1;
        }
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
    };
    const sampler = async (): Promise<void> => {
      let lastReport = Date.now();
      while (Date.now() < end && died === null) {
        await new Promise((r) => setTimeout(r, sampleMs));
        for (const p of stack.procs.values()) if (p.child.exitCode !== null || p.child.signalCode !== null) died ??= `${p.name} exited: ${p.output().slice(-1_000)}`;
        if (client) redisSamples.push({ t: Date.now(), y: Number(/^used_memory:(\d+)/m.exec(await client.info('memory'))?.[1] ?? NaN) });
        if (Date.now() - lastReport >= 60_000) {
          lastReport = Date.now();
          const rss = [...stack.procs.keys()].filter((n) => n !== 'sim').map((n) => `${n} ${((stack.probe(n).at(-1)?.rss ?? NaN) / 2 ** 20).toFixed(0)} MiB`).join(', ');
          progress(`${((Date.now() - started) / 60_000).toFixed(0)} min: ${latencies.length} scrapes, ${errors} errors; RSS ${rss}${redisSamples.length ? `; Redis ${(redisSamples.at(-1)!.y / 2 ** 20).toFixed(1)} MiB` : ''}; load ${loadavg()[0]!.toFixed(2)}`);
        }
      }
    };
    await Promise.all([sampler(), ...Array.from({ length: Number(values.scrapers) }, scraper)]);
    for (const n of stack.procs.keys()) probes[n] = stack.probe(n);
  } finally {
    agent.destroy();
    client?.disconnect();
    await stack.stop();
  }
} finally {
  await sim.proc.stop();
  await redis?.stop();
  await rm(probeDir, { recursive: true, force: true });
}

// ---- report ----
const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
const ms = (n: number): string => (n < 10 ? n.toFixed(1) : n.toFixed(0));
const firstT = Math.min(...Object.values(probes).map((p) => p[0]?.t ?? Infinity));
const cut = firstT + skipMinutes * 60_000;
const rows: [string, string, string, string, string][] = [];
const series = (label: string, pts: { t: number; y: number }[], fmt: (n: number) => string, unit: string): void => {
  const kept = pts.filter((p) => p.t >= cut);
  if (kept.length === 0) return;
  rows.push([label, `${fmt(kept[0]!.y)} → ${fmt(kept.at(-1)!.y)} ${unit}`, `${fmt(Math.min(...kept.map((p) => p.y)))}–${fmt(Math.max(...kept.map((p) => p.y)))}`,
    `${fmt(slopePerHour(kept))} ${unit}/h`, `${fmt(thirds(kept))} ${unit}`]);
};
for (const [name, p] of Object.entries(probes)) {
  series(`${name}: RSS`, p.map((s) => ({ t: s.t, y: s.rss })), mib, 'MiB');
  series(`${name}: heap used`, p.map((s) => ({ t: s.t, y: s.heapUsed })), mib, 'MiB');
  series(`${name}: external (buffers)`, p.map((s) => ({ t: s.t, y: s.external })), mib, 'MiB');
  series(`${name}: event-loop delay p99 (per sample)`, p.map((s) => ({ t: s.t, y: s.eld.p99 })), ms, 'ms');
  series(`${name}: event-loop delay max (per sample)`, p.map((s) => ({ t: s.t, y: s.eld.max })), ms, 'ms');
}
series('Redis used_memory', redisSamples, mib, 'MiB');

const sorted = [...latencies].sort((a, b) => a - b);
console.log(`\nmist-wan-exporter soak — ${mode} mode, ${values.sites} sites, ${minutes} min (slopes over the last ${(minutes - skipMinutes).toFixed(1)} min, after ${skipMinutes.toFixed(1)} min of warm-up), ` +
  `every family every ${values.interval} s, samples every ${values.sample} s, node ${process.version}, ${availableParallelism()} CPUs, ` +
  `load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
const head: [string, string, string, string, string] = ['', 'first → last', 'range', 'least-squares slope', 'last third − first third'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmtRow = (r: readonly string[]): string => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(fmtRow(head));
console.log(`|${widths.map((w, i) => `${'-'.repeat(w + 1)}${i === 0 ? '-' : ':'}`).join('|')}|`);
for (const r of rows) console.log(fmtRow(r));
console.log(`\nscrapes ${sorted.length}, errors ${errors}${errors ? ` (${Object.entries(errorKinds).map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}, ` +
  `latency p50 / p99 / max ${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 99))} / ${ms(sorted.at(-1) ?? NaN)} ms`);
if (died) console.log(`FAIL  a process died: ${died}`);
console.log(`${errors === 0 && died === null ? 'PASS' : 'FAIL'}  no scrape failed and no process died`);
console.log(`\ntotal soak time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exitCode = errors === 0 && died === null ? 0 : 1;
