import { Agent, request } from 'node:http';
import { percentile } from './load.js';

/** Prometheus' request headers (as support/load.ts sends them). */
const HEADERS = {
  accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'accept-encoding': 'gzip',
  'user-agent': 'mist-wan-exporter-bench/1',
  'x-prometheus-scrape-timeout-seconds': '10',
};

export interface TimedLoadResult {
  readonly scrapes: number;
  readonly errors: number;
  /** Errors by kind: `HTTP 503`, `short body`, `not gzip`, `timeout`, a socket error code. */
  readonly errorKinds: Readonly<Record<string, number>>;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /** Bytes of the last complete response (gzip, as sent). */
  readonly bytes: number;
  readonly wallMs: number;
  /** Epoch ms at which the slowest scrape started, to set beside a process's probe samples. */
  readonly maxAt: number;
  /** Every timed scrape's latency, ms, sorted (to merge runs). */
  readonly samples: readonly number[];
}

export type Outcome = { ok: true; ms: number; bytes: number } | { ok: false; ms: number; kind: string };

/**
 * One scrape as Prometheus makes it (gzip asked), the body read fully and checked complete: status 200, gzip
 * bytes (magic number), and exactly Content-Length bytes. Past `timeoutMs` it is an error (Prometheus' scrape
 * timeout), and the connection is dropped.
 */
export function scrapeChecked(url: string, agent: Agent, timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    const fail = (kind: string): void => done({ ok: false, ms: performance.now() - started, kind });
    const req = request(url, { agent, headers: HEADERS }, (res) => {
      let bytes = 0;
      let head: Buffer | null = null;
      res.on('data', (chunk: Buffer) => {
        head ??= chunk;
        bytes += chunk.length;
      });
      res.on('end', () => {
        const ms = performance.now() - started;
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
        else if (res.headers['content-encoding'] !== 'gzip' || !head || head[0] !== 0x1f || head[1] !== 0x8b) fail('not gzip');
        else if (Number.isFinite(declared) && declared !== bytes) fail('short body');
        else done({ ok: true, ms, bytes });
      });
      res.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? 'response error'));
      res.on('aborted', () => fail('aborted'));
    });
    req.setTimeout(timeoutMs, () => {
      fail('timeout');
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    req.end();
  });
}

/**
 * `scrapers` concurrent scrapers, each on its own keep-alive connection scraping back to back (as Prometheus
 * servers do, only without pause), for `warmupSeconds` untimed and then `seconds` timed. Every scrape is
 * checked complete; failed ones are counted by kind, and the scraper goes on with a new connection.
 */
/** Two runs of the same kind as one (a baseline measured before and after): percentiles over all samples. */
export function mergeLoads(a: TimedLoadResult, b: TimedLoadResult): TimedLoadResult {
  const sorted = [...a.samples, ...b.samples].sort((x, y) => x - y);
  const errorKinds: Record<string, number> = { ...a.errorKinds };
  for (const [k, n] of Object.entries(b.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
  const slow = a.max >= b.max ? a : b;
  return {
    scrapes: sorted.length, errors: a.errors + b.errors, errorKinds, p50: percentile(sorted, 50), p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN, mean: sorted.reduce((s, v) => s + v, 0) / sorted.length, bytes: b.bytes, wallMs: a.wallMs + b.wallMs,
    maxAt: slow.maxAt, samples: sorted,
  };
}

export async function timedLoad(url: string, opts: { scrapers: number; seconds: number; warmupSeconds?: number; timeoutMs?: number }): Promise<TimedLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.scrapers });
  const timeoutMs = opts.timeoutMs ?? 10_000;
  try {
    const t0 = performance.now();
    const timedFrom = t0 + (opts.warmupSeconds ?? 0) * 1000;
    const until = timedFrom + opts.seconds * 1000;
    const samples: number[] = [];
    const errorKinds: Record<string, number> = {};
    let errors = 0;
    let bytes = 0;
    let max = -1;
    let maxAt = 0;
    const scraper = async (): Promise<void> => {
      while (performance.now() < until) {
        const startedEpoch = Date.now();
        const startedAt = performance.now();
        const o = await scrapeChecked(url, agent, timeoutMs);
        // A scrape counts in the window it started in (the warm-up's are not timed; errors always count).
        if (!o.ok) {
          errors += 1;
          errorKinds[o.kind] = (errorKinds[o.kind] ?? 0) + 1;
          continue;
        }
        bytes = o.bytes;
        if (startedAt < timedFrom) continue;
        samples.push(o.ms);
        if (o.ms > max) {
          max = o.ms;
          maxAt = startedEpoch;
        }
      }
    };
    await Promise.all(Array.from({ length: opts.scrapers }, scraper));
    const wallMs = performance.now() - timedFrom;
    const sorted = samples.sort((a, b) => a - b);
    return {
      scrapes: sorted.length, errors, errorKinds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN,
      mean: sorted.reduce((s, v) => s + v, 0) / sorted.length, bytes, wallMs, maxAt, samples: sorted,
    };
  } finally {
    agent.destroy();
  }
}
