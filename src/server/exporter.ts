import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { API_RATE_LIMITED, API_REQUEST_FAILURES, API_REQUESTS, COLLECTOR_UNCOUNTED_GAP, COUNTER_LABELS, decodeLabels } from '../store/counters.js';
import { secretsOf, type Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { renderSelf } from '../metrics/self-render.js';
import { missingNodeFlags } from '../node-flags.js';
import type { Store } from '../store/types.js';
import { buildExporterApp } from './app.js';
import { ExpositionCache } from './exposition-cache.js';
import { DEFAULT_RENDER_HEAP, WorkerRenderer } from './renderer.js';
import { VERSION } from './version.js';

export interface RunningExporter {
  /** '' when started with `listen: false`. */
  readonly url: string;
  readonly cache: ExpositionCache;
  /** The HTTP app, for fastify's inject() in tests (no socket). */
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

const GROUPS = [API_REQUESTS, API_REQUEST_FAILURES, API_RATE_LIMITED, COLLECTOR_UNCOUNTED_GAP] as const;
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Counter group fields → samples with labels in the catalogue's order (unreadable fields are skipped). */
function counterSamples(counters: Readonly<Record<string, Readonly<Record<string, number>>>>): Map<string, { labels: string[]; value: number }[]> {
  const out = new Map<string, { labels: string[]; value: number }[]>();
  for (const group of GROUPS) {
    const names = COUNTER_LABELS[group];
    const samples = Object.entries(counters[group] ?? {}).flatMap(([field, value]) => {
      const labels = decodeLabels(field);
      return labels ? [{ labels: names.map((n) => labels[n] ?? ''), value }] : [];
    });
    out.set(group, samples);
  }
  return out;
}

/**
 * Starts the exporter on a store: a refresh loop that re-renders families when their generation changes, and
 * the HTTP server. Scrapes never wait on the store or on Mist.
 */
export async function startExporter(store: Store, config: Config, log: Logger, opts: { listen?: boolean } = {}): Promise<RunningExporter> {
  const missing = missingNodeFlags();
  if (missing.length > 0) log.info({ missing }, 'node runs without the recommended flags: expect 50-100 MiB more resident memory (docs/performance.md)');
  const renderer = new WorkerRenderer(store, { ...DEFAULT_RENDER_HEAP, oldMb: config.exporter.renderHeapMb }, config.exporter.renderTimeoutMs);
  const cache = new ExpositionCache(store, log.child({ component: 'exposition' }), () => Date.now(), GROUPS, renderer);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client exposes these gauges with a `_total` suffix, which promtool (rightly) flags; we do not need them.
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  const selfText = (): string => {
    const state = cache.storeState();
    return renderSelf({
      version: VERSION,
      storeUp: state.up,
      lastRefresh: state.lastRefresh,
      now: Date.now(),
      metas: state.metas.map(({ key, meta, expiresAt }) => ({ orgId: key.orgId, family: key.family, ...meta, expiresAt })),
      usage: state.usage,
      counters: counterSamples(state.counters),
      families: cache.families(),
      ...(state.collectors ? { collectors: state.collectors } : {}),
    }, { requests: API_REQUESTS, failures: API_REQUEST_FAILURES, rateLimited: API_RATE_LIMITED, uncountedGap: COLLECTOR_UNCOUNTED_GAP });
  };
  const landing = { links: config.exporter.links, secrets: secretsOf(config) };
  const app = buildExporterApp({ cache, selfText, registry, version: VERSION, auth: config.exporter.auth, log, landing });
  await cache.refresh();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const every = config.exporter.refreshSeconds * 1000;
  // Start to start: a slow pass is followed at once by the next, never by a pile-up. A pass always ends (its
  // store calls and renders are bounded), so the loop cannot stall on a half-open connection.
  const loop = async (): Promise<void> => {
    if (stopped) return;
    const started = Date.now();
    await cache.refresh();
    if (!stopped) timer = setTimeout(() => void loop(), Math.max(0, started + every - Date.now()));
  };
  timer = setTimeout(() => void loop(), every);
  let url = '';
  if (opts.listen !== false) {
    const address = await app.listen({ host: config.exporter.host, port: config.exporter.port });
    url = address.replace('[::]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
    log.info({ url, refreshSeconds: config.exporter.refreshSeconds, auth: Boolean(config.exporter.auth.bearerToken || config.exporter.auth.basic) }, 'exporter listening');
  }
  return {
    url,
    cache,
    app,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await app.close();
      await cache.close();
    },
  };
}
