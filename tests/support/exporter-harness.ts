import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { prepareCollector } from '../../src/collect/collector.js';
import type { Family } from '../../src/collect/family.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { Logger } from '../../src/log.js';
import type { RunningExporter } from '../../src/server/exporter.js';
import type { FamilyKey, Store } from '../../src/store/types.js';
import type { TestSim } from './sim-server.js';

/**
 * Pieces for exporter tests: a collector cycle from a simulator into a store, raw HTTP (node:http, so gzip
 * arrives as sent rather than decoded by fetch), a small exposition parser, and a store that can be taken down.
 */

/** Config of an in-process exporter on an ephemeral loopback port; the refresh loop is slow so tests drive refresh(). */
export function exporterConfig(sim: TestSim, extra: Record<string, string> = {}): Config {
  return loadConfig({
    MIST_API_TOKENS: sim.token, MIST_HOST: sim.url, LOG_LEVEL: 'warn',
    EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: '0', EXPORTER_REFRESH_SECONDS: '300', ...extra,
  }, { envFile: '/nonexistent' });
}

/** One collection cycle of every family (or the given ones), in order, into `store`. */
export async function collectOnce(sim: TestSim, store: Store, log: Logger, families?: readonly Family[]): Promise<void> {
  const prepared = await prepareCollector(exporterConfig(sim), log, { store, ...(families ? { families } : {}) });
  try {
    const results = await new Scheduler(prepared.schedulerDeps, prepared.jobs, log).runOnce();
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) throw new Error(`collection failed: ${JSON.stringify(failed)}`);
  } finally {
    await prepared.api.close();
  }
}

/**
 * Publishes a new generation of `key` made of `records` in pages of up to 500 (as the collector stores Mist's
 * pages), with the family's interval unless given.
 */
export async function publishRecords(store: Store, key: FamilyKey, records: readonly unknown[], generation: string,
  meta: { lastSuccess?: number; intervalSeconds?: number } = {}): Promise<void> {
  const previous = await store.readMeta(key);
  const intervalSeconds = meta.intervalSeconds ?? previous?.intervalSeconds ?? 60;
  const ttl = intervalSeconds * 3 * 1000;
  const lastSuccess = meta.lastSuccess ?? Date.now();
  const pages = Math.max(1, Math.ceil(records.length / 500));
  await store.beginGeneration(key, generation, ttl);
  for (let i = 0; i < pages; i++) {
    const kept = Math.min(records.length, (i + 1) * 500);
    await store.putPage(key, generation, i, JSON.stringify(records.slice(i * 500, kept)), { cursor: null, recordsKept: kept, recordsDropped: 0 }, ttl);
  }
  await store.publish(key, generation, pages, {
    lastAttempt: lastSuccess, lastSuccess, durationMs: 1, recordsKept: records.length, recordsDropped: 0, pages, calls: pages, intervalSeconds,
  }, ttl);
}

export async function readRecords<T>(store: Store, key: FamilyKey): Promise<T[]> {
  const snap = await store.readSnapshot(key);
  if (!snap) throw new Error(`no snapshot of ${key.family}`);
  return snap.pages.flatMap((p) => JSON.parse(p) as T[]);
}

/** A store whose every call fails while `down` is set (an unreachable Redis, as the exporter sees it). */
export function breakableStore(store: Store): { store: Store; setDown(down: boolean): void } {
  let down = false;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (down ? Promise.reject(new Error('connect ECONNREFUSED (test: store down)')) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { store: proxy, setDown: (d) => void (down = d) };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/**
 * GET through fastify's inject(): the exporter's routes without a socket (tests where a listening server is
 * not the point; gzip on the wire and Prometheus scrapes use httpGet over real HTTP).
 */
export async function injectGet(exporter: Pick<RunningExporter, 'app'>, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await exporter.app.inject({ method: 'GET', url: path, headers });
  return { status: res.statusCode, headers: res.headers as RawResponse['headers'], body: res.rawPayload, text: res.rawPayload.toString('utf8') };
}

/** GET over real HTTP with exactly the given headers; the body is returned as received (no decoding). */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses exposition text 0.0.4 samples (comments skipped), unescaping label values. */
export function parseSamples(text: string): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const name = m[1]!;
    let i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i += 1;
      while (line[i] !== '}') {
        const eq = line.indexOf('="', i);
        const label = line.slice(i, eq);
        let value = '';
        let j = eq + 2;
        for (; line[j] !== '"'; j++) {
          if (line[j] === '\\') {
            j += 1;
            value += line[j] === 'n' ? '\n' : line[j];
          } else value += line[j];
        }
        labels[label] = value;
        i = j + 1;
        if (line[i] === ',') i += 1;
      }
      i += 1;
    }
    const rest = line.slice(i).trim().split(' ');
    out.push({ name, labels, value: Number(rest[0]) });
  }
  return out;
}

/** Samples of one metric. */
export const samplesOf = (samples: readonly ParsedSample[], name: string): ParsedSample[] => samples.filter((s) => s.name === name);

/** The distinct metric names of an exposition (from its samples). */
export const metricNames = (text: string): Set<string> => new Set(parseSamples(text).map((s) => s.name));

export interface LoopMeasure {
  /** Wall time of `work`. */
  ms: number;
  /** perf_hooks event-loop delay histogram maximum. */
  maxDelayMs: number;
  /** Longest wall-clock gap between 5 ms timer ticks. */
  maxGapMs: number;
  /**
   * Longest main-thread CPU time between two ticks: the part of a gap the process itself spent blocking the
   * loop (wall-clock gaps also hold time the OS gave to other processes on a shared machine).
   */
  maxBlockCpuMs: number;
}

/** Runs `work` while measuring how long the event loop was blocked. */
export async function measureEventLoop(work: () => Promise<unknown>): Promise<LoopMeasure> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  const cpu = (): number => {
    const u = process.threadCpuUsage();
    return (u.user + u.system) / 1000;
  };
  let last = { wall: performance.now(), cpu: cpu() };
  let maxGapMs = 0;
  let maxBlockCpuMs = 0;
  const ticker = setInterval(() => {
    const now = { wall: performance.now(), cpu: cpu() };
    maxGapMs = Math.max(maxGapMs, now.wall - last.wall);
    maxBlockCpuMs = Math.max(maxBlockCpuMs, now.cpu - last.cpu);
    last = now;
  }, 5);
  histogram.enable();
  const started = performance.now();
  try {
    await work();
  } finally {
    histogram.disable();
    clearInterval(ticker);
  }
  return { ms: performance.now() - started, maxDelayMs: histogram.max / 1e6, maxGapMs, maxBlockCpuMs };
}
