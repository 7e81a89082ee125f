/**
 * The exporter under test, in its own process (forked by bench/scrape.ts with --expose-gc), as it runs in
 * production in `exporter` mode: the real startExporter on a RedisStore that one real collector cycle filled
 * (in the source process, support/sim-process.ts), plus a static-buffer server of the same bytes. A second
 * instance serves the same data with prom-client instead (`promclient`), so prom-client's memory never counts as
 * the exporter's. Driven over IPC (support/ipc.ts); the load and the new generations come from the parent.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { gzip } from 'node:zlib';
import pino from 'pino';
import type { Registry } from 'prom-client';
import { loadConfig, type Config } from '../../src/config/index.js';
import { CONTENT_TYPE } from '../../src/metrics/exposition.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { RedisStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { serve } from './ipc.js';
import { rawBody } from './load.js';
import type { BenchStore } from './sim-process.js';
import { promClientRegistry } from './prom-client-registry.js';

const gzipAsync = promisify(gzip);
const log = pino({ level: 'warn' });
let store: Store | undefined;
let config: Config | undefined;
let exporter: RunningExporter | undefined;
const servers: Server[] = [];

export interface StartResult {
  exporterUrl: string; staticUrl: string; startMs: number; firstRenderMs: number;
  familySeries: number; gzipBytes: number;
}
export interface MemoryResult { spaces: Record<string, number>; rssAnon: number; rssFile: number; peakRss: number; rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }
export interface RerenderResult { renderMs: number; maxDelayMs: number; maxGapMs: number; maxCpuMs: number }
export interface PromClientResult { url: string; series: number; buildMs: number; metricsMs: number; gzipMs: number; bodyBytes: number; gzipBytes: number }

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

serve({
  /** Connects to the Redis the collector cycle filled (nothing is read until the exporter starts). */
  async open(where: BenchStore): Promise<void> {
    // EXPORTER_RENDER_HEAP_MB passes through, to measure other render heap limits.
    const heap = process.env.EXPORTER_RENDER_HEAP_MB;
    config = loadConfig({
      LOG_LEVEL: 'warn', EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: '0', REDIS_URL: where.redisUrl, ...(heap ? { EXPORTER_RENDER_HEAP_MB: heap } : {}),
    }, { envFile: '/nonexistent' });
    store = new RedisStore({ url: where.redisUrl, prefix: where.prefix }, log);
    await store.ping();
  },

  async start(): Promise<StartResult> {
    if (!config || !store) throw new Error('open first');
    const started = performance.now();
    // No background refresh during the bench: renders happen when `rerender` asks for them.
    exporter = await startExporter(store, { ...config, exporter: { ...config.exporter, refreshSeconds: 86_400 } }, log);
    const startMs = performance.now() - started;
    const firstRenderMs = exporter.cache.families().reduce((s, f) => s + f.renderSeconds * 1000, 0);
    // The plain body is fetched and counted by the parent: holding it here would inflate this process's memory.
    const gz = await rawBody(`${exporter.url}/metrics`, true);
    const familySeries = exporter.cache.families().reduce((s, f) => s + f.series, 0);
    // The static server: the exporter's gzip bytes, with the exporter's headers, from a plain node:http server.
    const headers = {
      'content-type': CONTENT_TYPE, 'content-encoding': 'gzip', 'cache-control': 'no-store', vary: 'Accept-Encoding',
      'content-length': String(gz.length),
    };
    const staticUrl = await listen((_req, res) => {
      res.writeHead(200, headers);
      res.end(gz);
    });
    return { exporterUrl: exporter.url, staticUrl, startMs, firstRenderMs, familySeries, gzipBytes: gz.length };
  },

  /**
   * Memory after full GCs ('gc'), or after a memory-reducing GC ('reduce': what V8's memory reducer would do,
   * returning pooled pages and shrinking the young generation; what remains is the live working set).
   */
  async memory(arg: { mode: 'gc' | 'reduce' }): Promise<MemoryResult> {
    const gc = (globalThis as { gc?: (opts?: { type: string; execution: string; flavor?: string }) => void }).gc;
    if (!gc) throw new Error('run with --expose-gc');
    for (let i = 0; i < 3; i++) {
      gc(arg.mode === 'reduce' ? { type: 'major', execution: 'sync', flavor: 'last-resort' } : undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (process.env.BENCH_DEBUG) {
      // Largest mappings by resident size, for investigating where RSS goes.
      const maps = readFileSync('/proc/self/smaps', 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/).map((block) => {
        const [head = ''] = block.split('\n');
        const rss = Number(/\nRss:\s+(\d+) kB/.exec(block)?.[1] ?? 0);
        return { head: head.slice(0, 90), rss };
      }).sort((a, b) => b.rss - a.rss);
      const bySize = new Map<string, { n: number; rss: number }>();
      for (const x of maps) {
        const [a = '0', b = '0'] = (x.head.split(' ')[0] ?? '').split('-');
        const size = (parseInt(b, 16) - parseInt(a, 16)) / 1024;
        const key = x.head.includes('/') || x.head.includes('[') ? x.head.slice(x.head.lastIndexOf(' ') + 1) : `anon ${size >= 65536 ? '>=64MiB' : size >= 1024 ? '1-64MiB' : size === 256 ? '256KiB' : '<1MiB'}`;
        const e = bySize.get(key) ?? { n: 0, rss: 0 };
        bySize.set(key, { n: e.n + 1, rss: e.rss + x.rss });
      }
      console.error([...bySize].sort((a, b) => b[1].rss - a[1].rss).slice(0, 10).map(([k, v]) => `${String(v.rss).padStart(8)} kB in ${v.n} ${k}`).join('\n'));
    }
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(getHeapSpaceStatistics().filter((x) => x.physical_space_size > 0).map((x) => [x.space_name, x.physical_space_size]));
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string): number => Number(/^(\w+):\s+(\d+) kB$/m.exec(status.split('\n').find((l) => l.startsWith(`${field}:`)) ?? '')?.[2] ?? NaN) * 1024;
    return { spaces, rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), peakRss: process.resourceUsage().maxRSS * 1024, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
  },

  /**
   * One refresh after the parent published a new generation of every family (tagged `tag`), with the event loop
   * watched throughout: a 1 ms interval timer's largest gap (what a scrape arriving then waits, machine
   * contention included), the main thread's largest CPU time between two ticks (the exporter's own blocking: JS
   * and GC), and monitorEventLoopDelay's maximum.
   */
  async rerender(tag: string): Promise<RerenderResult> {
    if (!exporter) throw new Error('start first');
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    const started = performance.now();
    let last = started;
    let lastCpu = process.threadCpuUsage();
    let maxGapMs = 0;
    let maxCpuMs = 0;
    const tick = (): void => {
      const now = performance.now();
      const cpu = process.threadCpuUsage();
      const cpuMs = (cpu.user + cpu.system - lastCpu.user - lastCpu.system) / 1000;
      if (process.env.BENCH_DEBUG && now - last > 30) console.error(`gap ${(now - last).toFixed(0)} ms (main thread CPU ${cpuMs.toFixed(0)} ms) ending at ${(now - started).toFixed(0)} ms`);
      maxGapMs = Math.max(maxGapMs, now - last);
      maxCpuMs = Math.max(maxCpuMs, cpuMs);
      last = now;
      lastCpu = cpu;
    };
    const timer = setInterval(tick, 1);
    histogram.enable();
    await exporter.cache.refresh();
    const renderMs = performance.now() - started;
    histogram.disable();
    clearInterval(timer);
    tick();
    const stale = exporter.cache.families().filter((f) => !f.source.includes(`${tag}-`));
    if (stale.length > 0) throw new Error(`not re-rendered: ${stale.map((f) => f.family).join(', ')}`);
    return { renderMs, maxDelayMs: histogram.max / 1e6, maxGapMs, maxCpuMs };
  },

  /** prom-client on the same records: /plain (registry.metrics() per scrape) and /gzip (plus zlib per scrape). */
  async promclient(): Promise<PromClientResult> {
    if (!store) throw new Error('open first');
    const started = performance.now();
    const { registry, series } = await promClientRegistry(store);
    const buildMs = performance.now() - started;
    const t0 = performance.now();
    const body = await registry.metrics();
    const metricsMs = performance.now() - t0;
    const t1 = performance.now();
    const gz = await gzipAsync(body);
    const gzipMs = performance.now() - t1;
    const url = await listen((req, res) => void handlePromClient(registry, req, res));
    return { url, series, buildMs, metricsMs, gzipMs, bodyBytes: Buffer.byteLength(body), gzipBytes: gz.length };
  },

  async stop(): Promise<void> {
    await exporter?.close();
    await store?.close();
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    setImmediate(() => process.exit(0));
  },
});

/** How a prom-client exporter serves: render the registry per scrape; gzip it per scrape when asked (like compression middleware). */
async function handlePromClient(registry: Registry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await registry.metrics();
  const headers: Record<string, string> = { 'content-type': registry.contentType };
  if (req.url === '/gzip' && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    const body = await gzipAsync(text);
    res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': String(body.length) });
    res.end(body);
    return;
  }
  const body = Buffer.from(text);
  res.writeHead(200, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}
