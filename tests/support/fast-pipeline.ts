import { prepareCollector, runCollector, type PreparedCollector } from '../../src/collect/collector.js';
import type { Plan } from '../../src/collect/plan.js';
import type { Config } from '../../src/config/index.js';
import type { Logger } from '../../src/log.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { RedisStore } from '../../src/store/redis.js';
import type { Store } from '../../src/store/types.js';
import type { SimOptions } from '../../src/sim/options.js';
import { exporterConfig } from './exporter-harness.js';
import { deleteKeys, uniquePrefix } from './redis-store.js';
import { startTestSim, type TestSim } from './sim-server.js';
import { Redis } from 'ioredis';

/**
 * The whole product pipeline, time-compressed for end-to-end tests of rules and alerts: the simulator over HTTP
 * running `1 / timeScale` times faster than the wall clock, the real collector (prepareCollector + runCollector:
 * leader lock, scheduler, token-usage publishing) into real Redis, and the real exporter (one or more replicas on
 * the same store) serving /metrics on loopback ports.
 *
 * Collection intervals. The collector refuses intervals below MIN_INTERVAL_SECONDS (30 s,
 * src/config/fields.ts) in its configuration: that guard is for users and is not touched. A compressed test
 * needs the families collected as often, in simulated time, as in production (wan-ports every simulated
 * minute = every 2 s of wall time at 1/30), so the pipeline takes the plan the collector prepared from its
 * validated config (default intervals) and multiplies each job's interval by `timeScale` before running it
 * (PreparedCollector.jobs is the seam the scheduler reads; collector-outage.test.ts runs 3 s cycles the same
 * way). Everything downstream sees the scaled interval as it would a configured one: snapshot TTLs (3
 * intervals) and mist_collector_interval_seconds, which the staleness alert reads.
 */

export interface FastPipelineOptions {
  redisUrl: string;
  /** Wall seconds per simulated second, e.g. 1/30: the simulator runs at speed 30 and every interval shrinks 30×. */
  timeScale: number;
  /** Simulator options (sites, seed, warm-up, rate limit, …); the speed is set from timeScale (the rate limit is not: pass it). */
  sim?: Partial<SimOptions>;
  log: Logger;
  /** Exporter refresh (wall seconds, ≥ 1). */
  refreshSeconds?: number;
  /** Exporter replicas on the same store (default 1), as the shipped prometheus.yml scrapes two. */
  exporters?: number;
  /** Further configuration variables of the collector and exporters (e.g. SLE_DEGRADED_THRESHOLD). */
  env?: Readonly<Record<string, string>>;
}

export interface CollectorRun {
  /** Stops the collector (abort; in-flight cycles end) and closes its Mist client. Idempotent. */
  stop(): Promise<void>;
  /** The scaled jobs it runs: family, org, interval (wall seconds). */
  readonly jobs: PreparedCollector['jobs'];
  /** The budget plan it prepared (unscaled: simulated seconds, calls per simulated hour). */
  readonly plan: Plan;
}

export interface FastPipeline {
  readonly sim: TestSim;
  readonly exporters: readonly RunningExporter[];
  /** host:port of each exporter replica, for Prometheus scrape targets. */
  readonly exporterTargets: readonly string[];
  readonly config: Config;
  /** The store collector and exporters share (its own key prefix on the test Redis). */
  readonly store: Store;
  /** Prepares and starts a collector with every interval multiplied by timeScale. */
  startCollector(): Promise<CollectorRun>;
  /** The collector started by startFastPipeline (null once stopped through it). */
  collector: CollectorRun | null;
  close(): Promise<void>;
}

export async function startFastPipeline(opts: FastPipelineOptions): Promise<FastPipeline> {
  const speed = 1 / opts.timeScale;
  // Mist's limit is per clock hour of simulated time (the simulator counts in its own time): unchanged.
  const sim = await startTestSim({ ...opts.sim, speed });
  const prefix = uniquePrefix('fast-pipeline');
  const store = new RedisStore({ url: opts.redisUrl, prefix }, opts.log);
  const config = exporterConfig(sim, { EXPORTER_REFRESH_SECONDS: String(opts.refreshSeconds ?? 1), ...opts.env });
  const exporters: RunningExporter[] = [];
  const runs: CollectorRun[] = [];

  const startCollector = async (): Promise<CollectorRun> => {
    const prepared = await prepareCollector(config, opts.log.child({ component: 'collector' }), { store });
    const jobs = prepared.jobs.map((j) => ({ ...j, intervalSeconds: Math.max(1, j.intervalSeconds * opts.timeScale) }));
    const abort = new AbortController();
    const running = runCollector({ ...prepared, jobs }, config, opts.log.child({ component: 'collector' }), abort.signal);
    let stopped: Promise<void> | undefined;
    const run: CollectorRun = {
      jobs,
      plan: prepared.plan,
      stop: () => (stopped ??= (async () => {
        abort.abort();
        await running.catch(() => undefined);
        await prepared.api.close();
      })()),
    };
    runs.push(run);
    return run;
  };

  try {
    for (let i = 0; i < (opts.exporters ?? 1); i++) exporters.push(await startExporter(store, config, opts.log.child({ component: 'exporter', replica: i + 1 })));
    const collector = await startCollector();
    const pipeline: FastPipeline = {
      sim,
      exporters,
      exporterTargets: exporters.map((e) => new URL(e.url).host),
      config,
      store,
      startCollector,
      collector,
      async close() {
        await Promise.allSettled(runs.map((r) => r.stop()));
        await Promise.allSettled(exporters.map((e) => e.close()));
        const raw = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
        await raw.connect().then(() => deleteKeys(raw, prefix)).finally(() => raw.disconnect());
        await store.close();
        await sim.close();
      },
    };
    return pipeline;
  } catch (err) {
    await Promise.allSettled(runs.map((r) => r.stop()));
    await Promise.allSettled(exporters.map((e) => e.close()));
    await store.close();
    await sim.close();
    throw err;
  }
}
