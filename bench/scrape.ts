/**
 * Scrape benchmark (issue C): the exporter against a static buffer of the same bytes and against prom-client's
 * registry.metrics() on the same data, for the simulator's 3,208-site org and a 10,000-site org.
 *
 * Run: npm run bench:scrape [-- --sites 3208,10000 --scrapes 200 --warmup 20 --concurrency 4 --prom-scrapes 4
 *                               --rerenders 2 --prom-plain]
 *
 * A redis-server of its own (Debian's, as the tests use), and per org size three processes besides this one
 * (which drives them over IPC, publishes new generations, and runs the scrapers: real HTTP over loopback, gzip
 * requested, each scraper on its own keep-alive connection):
 *  - the source (support/sim-process.ts): the simulator, and one real collector cycle against it into Redis;
 *    then it exits;
 *  - the exporter (support/exporter-process.ts, --expose-gc): startExporter on that Redis, as in `exporter`
 *    mode, and a static node:http server of the exporter's gzip bytes with the same headers. Nothing else lives
 *    there, so its memory is the exporter's;
 *  - prom-client (another exporter-process.ts): the same records in a prom-client Registry, served per scrape.
 * The exporter process runs with the shipped node flags (src/node-flags.ts); BENCH_EXPORTER_FLAGS adds more
 * (e.g. --cpu-prof, --trace-gc, or --max-semi-space-size=32 to undo ours) and EXPORTER_RENDER_HEAP_MB passes
 * through. BENCH_DEBUG=1 prints memory maps and event-loop gaps.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { MemoryResult, PromClientResult, RerenderResult, StartResult } from './support/exporter-process.js';
import { Redis } from 'ioredis';
import pino from 'pino';
import { NODE_FLAGS } from '../src/node-flags.js';
import { RedisStore } from '../src/store/index.js';
import { startRedisServer } from '../tests/support/redis.js';
import { spawn } from './support/ipc.js';
import { countSamples, load, rawBody, type LoadResult } from './support/load.js';
import { republish } from './support/republish.js';
import type { BenchStore, CollectResult } from './support/sim-process.js';

const { values } = parseArgs({
  options: {
    sites: { type: 'string', default: '3208,10000' },
    scrapes: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
    'prom-scrapes': { type: 'string', default: '4' },
    'prom-plain': { type: 'boolean', default: false },
    rerenders: { type: 'string', default: '2' },
  },
});
const sizes = values.sites.split(',').map(Number);
const scrapes = Number(values.scrapes);
const warmup = Number(values.warmup);
const concurrency = Number(values.concurrency);
const promScrapes = Number(values['prom-scrapes']);
const rerenders = Number(values.rerenders);

const TARGETS = { staticRatio: 2, promRatio: 10, blockMs: 50, rssMiB: 300, rssAtSites: 3208 };

interface Row {
  sites: number;
  simReadyMs: number;
  collectMs: number;
  records: Record<string, number>;
  start: StartResult;
  body: { series: number; plainBytes: number; gzipBytes: number };
  exporter: LoadResult;
  static: LoadResult;
  memLoaded: MemoryResult;
  memServed: MemoryResult;
  memRendered: MemoryResult;
  memReduced: MemoryResult;
  rerender: RerenderResult[];
  redisBytes: number;
  prom: PromClientResult;
  promGzip: LoadResult;
  promPlain: LoadResult | null;
}

const here = (p: string): string => new URL(p, import.meta.url).pathname;
const t0 = performance.now();
const progress = (msg: string): void => void process.stderr.write(`[bench:scrape ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
const debug = (label: string, m: MemoryResult): void => {
  if (process.env.BENCH_DEBUG) console.error(label, m);
};

/** The exporter's plain and gzip bodies (fetched here, not in the exporter process): sizes, samples, and that they agree. */
async function bodies(exporterUrl: string): Promise<Row['body']> {
  const plain = await rawBody(`${exporterUrl}/metrics`, false);
  const gz = await rawBody(`${exporterUrl}/metrics`, true);
  const unzipped = gunzipSync(gz);
  // The self-metrics (process CPU, timestamps) differ between two scrapes; the families do not.
  if (Math.abs(unzipped.length - plain.length) > 0.001 * plain.length) throw new Error(`gzip body inflates to ${unzipped.length} bytes, plain body has ${plain.length}`);
  return { series: countSamples(plain), plainBytes: plain.length, gzipBytes: gz.length };
}

/** Redis' own view of what the snapshots take (used_memory, all keys of the run). */
async function redisUsedMemory(url: string): Promise<number> {
  const client = new Redis(url);
  try {
    return Number(/^used_memory:(\d+)/m.exec(await client.info('memory'))?.[1] ?? NaN);
  } finally {
    client.disconnect();
  }
}

async function measure(sites: number, redisUrl: string): Promise<Row> {
  const where: BenchStore = { redisUrl, prefix: `bench:${sites}:` };
  progress(`${sites} sites: building the simulated org`);
  const sim = spawn(here('./support/sim-process.ts'), ['--sites', String(sites)]);
  let collect: CollectResult;
  let simReadyMs: number;
  try {
    simReadyMs = (await sim.first<{ readyMs: number }>()).readyMs;
    progress(`${sites} sites: simulator ready in ${simReadyMs.toFixed(0)} ms; one collector cycle`);
    collect = await sim.call<CollectResult>('collect', where);
    sim.child.send('stop');
    await new Promise((r) => (sim.child.exitCode === null ? sim.child.once('exit', r) : r(null)));
  } finally {
    sim.kill();
  }
  progress(`${sites} sites: collected in ${collect.collectMs.toFixed(0)} ms (records: ${JSON.stringify(collect.records)}); simulator stopped`);

  const flags = process.env.BENCH_EXPORTER_FLAGS?.split(' ').filter(Boolean) ?? [];
  // As shipped (the bin's shebang and npm scripts run with NODE_FLAGS), plus what BENCH_EXPORTER_FLAGS adds.
  const exp = spawn(here('./support/exporter-process.ts'), [], [...NODE_FLAGS, '--expose-gc', ...flags]);
  const publisher = new RedisStore({ url: redisUrl, prefix: where.prefix }, pino({ level: 'error' }));
  let part: Omit<Row, 'sites' | 'simReadyMs' | 'collectMs' | 'records' | 'prom' | 'promGzip' | 'promPlain'>;
  try {
    await exp.call('open', where);
    const memLoaded = await exp.call<MemoryResult>('memory', { mode: 'gc' });
    debug('before start', memLoaded);
    const start = await exp.call<StartResult>('start');
    const body = await bodies(start.exporterUrl);
    progress(`${sites} sites: exporter up (first render ${start.firstRenderMs.toFixed(0)} ms), ${body.series} series; ${concurrency} scrapers × ${warmup}+${scrapes} gzip scrapes, exporter then static buffer`);
    const exporter = await load(`${start.exporterUrl}/metrics`, { concurrency, warmup, total: scrapes });
    const stat = await load(start.staticUrl, { concurrency, warmup, total: scrapes });
    const memServed = await exp.call<MemoryResult>('memory', { mode: 'gc' });
    debug('served', memServed);
    progress(`${sites} sites: ${rerenders} new generations of every family rendered, event loop watched`);
    const rerender: RerenderResult[] = [];
    for (let i = 1; i <= rerenders; i++) {
      const tag = `round${i}`;
      await republish(publisher, tag);
      rerender.push(await exp.call<RerenderResult>('rerender', tag));
    }
    const redisBytes = await redisUsedMemory(redisUrl);
    const memRendered = await exp.call<MemoryResult>('memory', { mode: 'gc' });
    debug('re-rendered', memRendered);
    const memReduced = await exp.call<MemoryResult>('memory', { mode: 'reduce' });
    debug('memory-reducing GC', memReduced);
    part = { start, body, exporter, static: stat, memLoaded, memServed, memRendered, memReduced, rerender, redisBytes };
    await exp.call('stop');
  } finally {
    exp.kill();
    await publisher.close();
  }

  const pc = spawn(here('./support/exporter-process.ts'), [], ['--max-old-space-size=8192']);
  try {
    await pc.call('open', where);
    progress(`${sites} sites: prom-client registry of the same records; ${concurrency} scrapers × ${promScrapes} scrapes (metrics() + gzip per scrape)`);
    const prom = await pc.call<PromClientResult>('promclient');
    // prom-client's first registry.metrics() (timed in `promclient`) was the warm-up.
    const promGzip = await load(`${prom.url}/gzip`, { concurrency, warmup: 0, total: promScrapes });
    const promPlain = values['prom-plain'] ? await load(`${prom.url}/plain`, { concurrency, warmup: 0, total: promScrapes }) : null;
    await pc.call('stop');
    return { sites, simReadyMs, collectMs: collect.collectMs, records: collect.records, ...part, prom, promGzip, promPlain };
  } finally {
    pc.kill();
  }
}

const load0 = loadavg();
const rows: Row[] = [];
const redis = await startRedisServer();
try {
  for (const sites of sizes) rows.push(await measure(sites, redis.url));
} finally {
  await redis.stop();
}

// ---- report ----
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n < 10 ? n.toFixed(1) : n.toFixed(0));
const mib = (n: number): string => (n / 2 ** 20).toFixed(0);
const lat = (r: LoadResult): string => `${ms(r.p50)} / ${ms(r.p99)}`;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssSteady = (r: Row): number => Math.max(r.memServed.rss, r.memRendered.rss);
const block = (r: Row): number => Math.max(...r.rerender.map((x) => Math.max(x.maxGapMs, x.maxDelayMs)));
const blockCpu = (r: Row): number => Math.max(...r.rerender.map((x) => x.maxCpuMs));

const lines: [string, (r: Row) => string][] = [
  ['series on /metrics (families + self-metrics)', (r) => int(r.body.series)],
  ['  family series: exporter / prom-client registry', (r) => `${int(r.start.familySeries)} / ${int(r.prom.series)}`],
  ['body bytes, plain', (r) => `${int(r.body.plainBytes)} (${mib(r.body.plainBytes)} MiB)`],
  ['body bytes, gzip', (r) => `${int(r.body.gzipBytes)} (${(r.body.gzipBytes / 2 ** 20).toFixed(1)} MiB)`],
  [`exporter /metrics, p50 / p99 ms (${scrapes} scrapes)`, (r) => lat(r.exporter)],
  [`static buffer, p50 / p99 ms (${scrapes} scrapes)`, (r) => lat(r.static)],
  [`prom-client metrics() + gzip, p50 / p99 ms (${promScrapes} scrapes)`, (r) => lat(r.promGzip)],
  ...(values['prom-plain'] ? [[`prom-client metrics(), no gzip, p50 / p99 ms (${promScrapes} scrapes)`, (r: Row) => (r.promPlain ? lat(r.promPlain) : '-')] as [string, (r: Row) => string]] : []),
  ['prom-client, one metrics() alone / its gzip, ms', (r) => `${ms(r.prom.metricsMs)} / ${ms(r.prom.gzipMs)}`],
  ['exporter p99 / static p99 (target ≤ 2)', (r) => (r.exporter.p99 / r.static.p99).toFixed(2)],
  ['prom-client p50 / exporter p50 (target ≥ 10)', (r) => `${(r.promGzip.p50 / r.exporter.p50).toFixed(0)}×`],
  ['scrapes/s: exporter; static buffer', (r) => `${(r.exporter.scrapes / (r.exporter.wallMs / 1000)).toFixed(0)}; ${(r.static.scrapes / (r.static.wallMs / 1000)).toFixed(0)}`],
  [`render of all families, ms (first; median of ${rerenders} new generations)`, (r) => `${ms(r.start.firstRenderMs)}; ${ms(median(r.rerender.map((x) => x.renderMs)))}`],
  ['max event-loop block while rendering, ms (target ≤ 50)', (r) => ms(block(r))],
  ['  main-thread CPU between two 1 ms ticks, max ms', (r) => ms(blockCpu(r))],
  ['exporter RSS after GC, MiB: served; re-rendered (target ≤ 300)', (r) => `${mib(r.memServed.rss)}; ${mib(r.memRendered.rss)}`],
  ['  after a memory-reducing GC (live data), MiB', (r) => mib(r.memReduced.rss)],
  ['  peak RSS, MiB', (r) => mib(r.memReduced.peakRss)],
  ['  before the exporter started (code loaded, Redis connected), MiB', (r) => mib(r.memLoaded.rss)],
  ['  heap used / external, MiB', (r) => `${mib(r.memReduced.heapUsed)} / ${mib(r.memReduced.external)}`],
  ['Redis used_memory (the snapshots), MiB', (r) => mib(r.redisBytes)],
  ['collector cycle, ms (simulator ready, ms)', (r) => `${int(r.collectMs)} (${int(r.simReadyMs)})`],
];

const head = ['', ...rows.map((r) => `${int(r.sites)} sites`)];
const width0 = Math.max(...lines.map(([l]) => l.length));
const widths = rows.map((r, i) => Math.max(head[i + 1]!.length, ...lines.map(([, f]) => f(r).length)));
const line = (cells: string[]): string => `| ${cells[0]!.padEnd(width0)} | ${cells.slice(1).map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;

console.log(`\nmist-wan-exporter scrape benchmark — node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ` +
  `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`Latency: client-side, request sent → last body byte, ${concurrency} concurrent keep-alive scrapers over loopback asking for gzip, after ${warmup} warm-up scrapes (prom-client: after one metrics()).\n`);
console.log(line(head));
console.log(`|${'-'.repeat(width0 + 2)}|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`);
for (const [label, f] of lines) console.log(line([label, ...rows.map(f)]));

const verdicts: { ok: boolean; text: string }[] = [];
for (const r of rows) {
  const s = `${int(r.sites)} sites`;
  const staticRatio = r.exporter.p99 / r.static.p99;
  const promRatio = r.promGzip.p50 / r.exporter.p50;
  verdicts.push({ ok: staticRatio <= TARGETS.staticRatio, text: `${s}: exporter p99 within ${TARGETS.staticRatio}× of the static buffer (${ms(r.exporter.p99)} vs ${ms(r.static.p99)} ms: ${staticRatio.toFixed(2)}×)` });
  verdicts.push({ ok: promRatio >= TARGETS.promRatio, text: `${s}: ≥ ${TARGETS.promRatio}× faster than prom-client at p50 (${ms(r.promGzip.p50)} vs ${ms(r.exporter.p50)} ms: ${promRatio.toFixed(0)}×)` });
  verdicts.push({ ok: block(r) <= TARGETS.blockMs, text: `${s}: event loop never blocked > ${TARGETS.blockMs} ms while new generations render (max ${ms(block(r))} ms; main-thread CPU ${ms(blockCpu(r))} ms)` });
  if (r.sites === TARGETS.rssAtSites) {
    verdicts.push({ ok: rssSteady(r) <= TARGETS.rssMiB * 2 ** 20, text: `${s}: RSS ≤ ${TARGETS.rssMiB} MiB after serving and re-rendering (${mib(rssSteady(r))} MiB after GC; ${mib(r.memReduced.rss)} MiB after a memory-reducing GC; peak ${mib(r.memReduced.peakRss)} MiB)` });
  }
}
console.log('');
for (const v of verdicts) console.log(`${v.ok ? 'PASS' : 'FAIL'}  ${v.text}`);
console.log(`\ntotal bench time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exitCode = verdicts.every((v) => v.ok) ? 0 : 1;
