import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis.js';
import { awaitReady, spawnService } from './service-process.js';

/**
 * A real single-node VictoriaMetrics (Debian's victoria-metrics 1.79; scripts/ensure-test-services.sh installs it)
 * for the long-term storage tests. Missing binary = failure, never a skip.
 *
 *   const vm = await startVictoriaMetrics({ retentionPeriod: '13' });   // months, VM's default unit
 *   // Prometheus: remote_write: [{ url: vm.writeUrl }]
 *   await vm.forceFlush();                                             // make what arrived searchable now
 *   const rows = await vm.query('sum_over_time(x[395d])', at);
 *   await vm.stop();                                                    // kills it and removes its data dir
 *
 * Queries pass `nocache=1`: VictoriaMetrics otherwise moves an instant query within -search.latencyOffset (30 s)
 * of now back by that offset and serves cached responses; a test compares exact instants with Prometheus.
 */

export interface VmSample {
  metric: Record<string, string>;
  value: number;
  timestamp: number;
}

/** One series of /api/v1/export (JSON lines): the same shape /api/v1/import takes. */
export interface VmSeries {
  metric: Record<string, string>;
  values: number[];
  /** Milliseconds. */
  timestamps: number[];
}

export interface VictoriaMetrics {
  readonly url: string;
  /** Prometheus remote_write endpoint. */
  readonly writeUrl: string;
  readonly dir: string;
  query(expr: string, time?: number): Promise<VmSample[]>;
  /** Metric names (/api/v1/label/__name__/values), optionally restricted by a series selector. */
  names(match?: string): Promise<string[]>;
  /** /api/v1/export of the series matching `match`, samples in [start, end] (seconds). */
  exportSeries(match: string, start?: number, end?: number): Promise<VmSeries[]>;
  /** /api/v1/import (JSON lines). */
  importSeries(series: readonly VmSeries[]): Promise<void>;
  /** /internal/force_flush: recently ingested samples become searchable at once. */
  forceFlush(): Promise<void>;
  /** VictoriaMetrics' own /metrics value (summed over label sets) of a metric name, e.g. vm_rows_ignored_total. */
  selfMetric(name: string, labels?: string): Promise<number>;
  log(): string;
  stop(): Promise<void>;
}

const BIN = process.env.VICTORIA_METRICS_BIN ?? 'victoria-metrics';

export async function startVictoriaMetrics(opts: { retentionPeriod?: string; args?: readonly string[] } = {}): Promise<VictoriaMetrics> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !/address already in use/.test(err.message)) throw err;
    }
  }
}

async function startOnce(opts: { retentionPeriod?: string; args?: readonly string[] }): Promise<VictoriaMetrics> {
  const dir = await mkdtemp(join(tmpdir(), 'mist-victoria-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { output, exited, stop } = spawnService(BIN, [
    `-storageDataPath=${join(dir, 'data')}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    `-retentionPeriod=${opts.retentionPeriod ?? '13'}`,
    '-search.disableCache',
    '-loggerLevel=WARN',
    ...(opts.args ?? []),
  ], dir, 'install victoria-metrics');

  // VictoriaMetrics says it is ready on /health ("OK"), not /-/ready.
  const ready = () => fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).then(async (r) => (await r.text()).trim() === 'OK', () => false);
  await awaitReady({ bin: BIN, url, port, dir, timeoutMs: 20_000, exited, stop, output, ready });

  async function get<T>(path: string, params: Record<string, string>): Promise<T> {
    const res = await fetch(`${url}${path}?${new URLSearchParams({ ...params, nocache: '1' }).toString()}`);
    const body = (await res.json()) as { status: string; data?: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`VictoriaMetrics ${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data as T;
  }

  async function query(expr: string, time?: number): Promise<VmSample[]> {
    const data = await get<{ resultType: string; result: unknown }>('/api/v1/query', { query: expr, ...(time === undefined ? {} : { time: String(time) }) });
    if (data.resultType === 'scalar') {
      const [ts, v] = data.result as [number, string];
      return [{ metric: {}, value: Number(v), timestamp: ts }];
    }
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ metric: r.metric, value: Number(r.value[1]), timestamp: r.value[0] }));
  }

  async function exportSeries(match: string, start?: number, end?: number): Promise<VmSeries[]> {
    const params = new URLSearchParams({ 'match[]': match, ...(start === undefined ? {} : { start: String(start) }), ...(end === undefined ? {} : { end: String(end) }) });
    const res = await fetch(`${url}/api/v1/export?${params.toString()}`);
    if (!res.ok) throw new Error(`VictoriaMetrics export ${match}: ${res.status} ${await res.text()}`);
    // A Prometheus staleness marker is exported as a bare NaN, which JSON has not: read as null.
    return (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l.replace(/\bNaN\b/g, 'null')) as VmSeries);
  }

  async function importSeries(series: readonly VmSeries[]): Promise<void> {
    const res = await fetch(`${url}/api/v1/import`, { method: 'POST', body: series.map((s) => JSON.stringify(s)).join('\n') });
    if (res.status !== 204 && !res.ok) throw new Error(`VictoriaMetrics import: ${res.status} ${await res.text()}`);
  }

  async function forceFlush(): Promise<void> {
    const res = await fetch(`${url}/internal/force_flush`);
    if (!res.ok) throw new Error(`VictoriaMetrics force_flush: ${res.status}`);
  }

  async function selfMetric(name: string, labels = ''): Promise<number> {
    const text = await (await fetch(`${url}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name) || !(line[name.length] === ' ' || line[name.length] === '{')) continue;
      if (labels && !line.includes(labels)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    dir,
    query,
    names: async (match) => get<string[]>('/api/v1/label/__name__/values', match ? { 'match[]': match } : {}),
    exportSeries,
    importSeries,
    forceFlush,
    selfMetric,
    log: output,
    stop,
  };
}
