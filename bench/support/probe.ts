/**
 * A preload for a process under a bench (`node --import tsx --import ./bench/support/probe.ts src/cli.ts …`):
 * every BENCH_PROBE_MS (default 1000) it appends one JSON line (a ProbeSample) to BENCH_PROBE_FILE with the
 * main thread's event-loop delay since the previous line (monitorEventLoopDelay, reset each line), its GC
 * pauses, the process's CPU time and memory. Only the main thread is probed (a worker thread that inherits the
 * preload does nothing). Nothing of the product reads it; without BENCH_PROBE_FILE it does nothing.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

export interface ProbeSample {
  /** Epoch ms of the sample. */
  readonly t: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Event-loop delay since the previous sample, ms (monitorEventLoopDelay). */
  readonly eld: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** Main-thread GC pauses since the previous sample: count, total and largest, ms. */
  readonly gc: { readonly n: number; readonly totalMs: number; readonly maxMs: number };
  /** Process CPU (all threads, user + system) since the previous sample, ms; and the main thread's alone. */
  readonly cpuMs: number;
  readonly mainCpuMs: number;
}

const file = process.env.BENCH_PROBE_FILE;
if (file && isMainThread) {
  const every = Number(process.env.BENCH_PROBE_MS ?? 1000);
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let gc = { n: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc = { n: gc.n + 1, totalMs: gc.totalMs + e.duration, maxMs: Math.max(gc.maxMs, e.duration) };
  }).observe({ entryTypes: ['gc'] });
  let cpu = process.cpuUsage();
  let mainCpu = process.threadCpuUsage();
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const nowCpu = process.cpuUsage();
    const nowMain = process.threadCpuUsage();
    const sample: ProbeSample = {
      t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers,
      eld: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), mean: ms(histogram.mean) },
      gc: { n: gc.n, totalMs: Math.round(gc.totalMs * 100) / 100, maxMs: Math.round(gc.maxMs * 100) / 100 },
      cpuMs: (nowCpu.user + nowCpu.system - cpu.user - cpu.system) / 1000,
      mainCpuMs: (nowMain.user + nowMain.system - mainCpu.user - mainCpu.system) / 1000,
    };
    histogram.reset();
    gc = { n: 0, totalMs: 0, maxMs: 0 };
    cpu = nowCpu;
    mainCpu = nowMain;
    appendFileSync(file, `${JSON.stringify(sample)}\n`);
  }, every);
  timer.unref();
}
