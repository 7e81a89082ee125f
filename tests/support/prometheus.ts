import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './redis.js';
import { awaitReady, delay, spawnService } from './service-process.js';

/**
 * A real Prometheus process for integration tests (Debian's 2.42 binary; scripts/ensure-test-services.sh
 * installs it). Missing binary = failure, never a skip.
 *
 *   const prom = await startPrometheus({ config: { global: { scrape_interval: '1s' },
 *     scrape_configs: [scrapeJob('mist', '127.0.0.1:1234')] } });   // or start({ global: …, scrape_configs: … })
 *   // (first scrape: ~5 s, Prometheus applies new targets on a 5 s tick)
 *   await prom.waitForTargetsUp();
 *   const samples = await prom.query('up');      // [{ metric: { __name__: 'up', ... }, value: 1 }]
 *   await prom.stop();                            // kills it and removes its temp dir
 *
 * The API (startPrometheus/start, scrapeJob, PrometheusServer) is stable: other test files use it.
 */

/** prometheus.yml as an object (written as JSON, which is YAML) or as YAML text. */
export type PrometheusConfig = Record<string, unknown> | string;

export interface PrometheusOptions {
  config: PrometheusConfig;
  /** Extra files written beside prometheus.yml (rule files, ...): relative name (may hold directories, e.g. `rules/x.yml`) → contents. */
  files?: Readonly<Record<string, string>>;
  /** Extra command-line flags, e.g. ['--web.enable-lifecycle']. */
  args?: readonly string[];
  /** How long to wait for /-/ready (default 20 s). */
  readyTimeoutMs?: number;
  /** An existing TSDB directory to open (e.g. holding backfilled blocks); the caller removes it. Default: a fresh one in the temp dir. */
  dataDir?: string;
}

export interface PromSample {
  metric: Record<string, string>;
  /** The sample value as a number (NaN, ±Inf parsed). */
  value: number;
  /** Prometheus's evaluation timestamp, in seconds. */
  timestamp: number;
}

export interface PromTarget {
  health: 'up' | 'down' | 'unknown';
  labels: Record<string, string>;
  scrapeUrl: string;
  lastError: string;
  scrapePool: string;
}

export interface PrometheusServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The temp dir holding prometheus.yml, the extra files and the TSDB. */
  readonly dir: string;
  /** Instant query; a scalar result comes back as one sample with an empty metric. */
  query(expr: string, time?: number): Promise<PromSample[]>;
  /** GET /api/v1/<path> and return its `data` (throws on a non-success status). */
  api<T = unknown>(path: string, params?: Record<string, string>): Promise<T>;
  /** Active targets (/api/v1/targets). */
  targets(): Promise<PromTarget[]>;
  /** Waits until at least `count` active targets exist and all are up (throws with their lastError on timeout). */
  waitForTargetsUp(opts?: { count?: number; timeoutMs?: number }): Promise<PromTarget[]>;
  /** Polls `query(expr)` until `accept(samples)` holds; returns those samples (throws with the last result on timeout). */
  waitFor(expr: string, accept: (samples: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** Prometheus's own log so far (stderr), for failure messages. */
  log(): string;
  /** Stops the process (SIGTERM, SIGKILL after 5 s) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';

/** One scrape_configs entry scraping `target` (host:port); defaults: 1 s interval, 1 s timeout, /metrics. */
export function scrapeJob(
  jobName: string,
  target: string | readonly string[],
  opts: { interval?: string; timeout?: string; path?: string; params?: Record<string, string[]>; extra?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    job_name: jobName,
    scrape_interval: opts.interval ?? '1s',
    scrape_timeout: opts.timeout ?? opts.interval ?? '1s',
    metrics_path: opts.path ?? '/metrics',
    ...(opts.params ? { params: opts.params } : {}),
    static_configs: [{ targets: typeof target === 'string' ? [target] : [...target] }],
    ...opts.extra,
  };
}

/**
 * Starts Prometheus on a free loopback port and waits for /-/ready. Takes the options, or just the config
 * (prometheus.yml as an object or YAML text: `start({ scrape_configs: [...] })`).
 */
export async function startPrometheus(optsOrConfig: PrometheusOptions | PrometheusConfig): Promise<PrometheusServer> {
  const opts: PrometheusOptions = typeof optsOrConfig === 'object' && 'config' in optsOrConfig
    ? (optsOrConfig as unknown as PrometheusOptions)
    : { config: optsOrConfig as PrometheusConfig };
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      // Another process may take the port between freePort() and Prometheus's bind.
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('address already in use')) throw err;
    }
  }
}

/** Alias of startPrometheus. */
export const start = startPrometheus;

async function startOnce(opts: PrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mist-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, typeof opts.config === 'string' ? opts.config : JSON.stringify(opts.config, null, 2));
  for (const [name, contents] of Object.entries(opts.files ?? {})) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), contents);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { output, exited, stop } = spawnService(BIN, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${opts.dataDir ?? join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
    ...(opts.args ?? []),
  ], dir, 'install prometheus');

  await awaitReady({ bin: BIN, url, port, dir, timeoutMs: opts.readyTimeoutMs ?? 20_000, exited, stop, output });

  async function api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params).toString()}`);
    const body = (await res.json()) as { status: string; data?: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data as T;
  }

  async function query(expr: string, time?: number): Promise<PromSample[]> {
    const data = await api<{ resultType: string; result: unknown }>('query', { query: expr, ...(time === undefined ? {} : { time: String(time) }) });
    if (data.resultType === 'scalar') {
      const [ts, v] = data.result as [number, string];
      return [{ metric: {}, value: Number(v), timestamp: ts }];
    }
    if (data.resultType !== 'vector') throw new Error(`query ${expr}: unsupported result type ${data.resultType}`);
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      metric: r.metric,
      value: Number(r.value[1]),
      timestamp: r.value[0],
    }));
  }

  async function targets(): Promise<PromTarget[]> {
    return (await api<{ activeTargets: PromTarget[] }>('targets', { state: 'active' })).activeTargets;
  }

  async function waitForTargetsUp({ count = 1, timeoutMs = 20_000 } = {}): Promise<PromTarget[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const list = await targets();
      if (list.length >= count && list.every((t) => t.health === 'up')) return list;
      if (Date.now() > until) {
        const states = list.map((t) => `${t.scrapeUrl}: ${t.health} ${t.lastError}`).join('; ');
        throw new Error(`targets not up within ${timeoutMs} ms (want ${count}): ${states || 'none'}`);
      }
      await delay(200);
    }
  }

  async function waitFor(expr: string, accept: (samples: PromSample[]) => boolean, timeoutMs = 20_000): Promise<PromSample[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const samples = await query(expr);
      if (accept(samples)) return samples;
      if (Date.now() > until) throw new Error(`query ${expr} not as expected within ${timeoutMs} ms; last: ${JSON.stringify(samples).slice(0, 2_000)}`);
      await delay(200);
    }
  }

  return { url, port, dir, query, api, targets, waitForTargetsUp, waitFor, log: output, stop };
}
