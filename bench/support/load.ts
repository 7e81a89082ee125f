import { Agent, request } from 'node:http';

/** Prometheus' request headers (2.x/3.x send gzip by default). */
const HEADERS = {
  accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'accept-encoding': 'gzip',
  'user-agent': 'mist-wan-exporter-bench/1',
  'x-prometheus-scrape-timeout-seconds': '10',
};

/** One GET's body as sent (not decompressed). */
export function rawBody(url: string, gzip: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { ...HEADERS, 'accept-encoding': gzip ? 'gzip' : 'identity' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Samples in an exposition body: lines that are neither empty nor comments. */
export function countSamples(body: Buffer): number {
  let n = 0;
  let at = 0;
  while (at < body.length) {
    const end = body.indexOf(10, at);
    const stop = end === -1 ? body.length : end;
    if (stop > at && body[at] !== 35 /* # */) n += 1;
    at = stop + 1;
  }
  return n;
}

/** One GET, body read fully but not decompressed: the time a scraper waits for the bytes. */
export function scrape(url: string, agent: Agent, gzip = true): Promise<{ ms: number; bytes: number; encoding: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: gzip ? HEADERS : { ...HEADERS, 'accept-encoding': 'identity' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url}: HTTP ${res.statusCode}`));
        else resolve({ ms: performance.now() - started, bytes, encoding: String(res.headers['content-encoding'] ?? 'identity') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface LoadResult {
  readonly scrapes: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  readonly bytes: number;
  readonly encoding: string;
  readonly wallMs: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  // Nearest rank: the smallest sample with at least p% of samples at or below it.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * `concurrency` scrapers, each scraping back to back over its own keep-alive connection (as Prometheus does),
 * until `warmup` then `total` scrapes are done; only the `total` are timed.
 */
export async function load(url: string, opts: { concurrency: number; warmup: number; total: number }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  try {
    let issued = 0;
    const samples: number[] = [];
    let bytes = 0;
    let encoding = '';
    const all = opts.warmup + opts.total;
    let wallStart = 0;
    const worker = async (): Promise<void> => {
      while (issued < all) {
        const n = issued++;
        if (n === opts.warmup) wallStart = performance.now();
        const r = await scrape(url, agent);
        if (n >= opts.warmup) samples.push(r.ms);
        bytes = r.bytes;
        encoding = r.encoding;
      }
    };
    if (opts.warmup === 0) wallStart = performance.now();
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    const wallMs = performance.now() - wallStart;
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      scrapes: samples.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN,
      mean: sorted.reduce((s, v) => s + v, 0) / sorted.length, bytes, encoding, wallMs,
    };
  } finally {
    agent.destroy();
  }
}
