/**
 * The data source for bench/scrape.ts, in its own process so that neither the simulator nor the collector is
 * counted in the exporter's memory or CPU: a simulator, and on request one real collector cycle against it into
 * Redis (the bench's redis-server), exactly as a collector process feeds the exporters in production. Forked
 * with `--sites N`; announces { url, orgId, readyMs } over IPC.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { prepareCollector } from '../../src/collect/collector.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import { loadConfig } from '../../src/config/index.js';
import { startSimulator } from '../../src/sim/main.js';
import { DEMO_TOKEN, SimOptionsSchema } from '../../src/sim/options.js';
import { RedisStore } from '../../src/store/index.js';
import { serve } from './ipc.js';

/** Same fixed start as tests/support/sim-server.ts, so runs are reproducible. */
const START = 1_790_000_000;

/** Where the bench's data lives: a Redis URL and a key prefix of its own per org size. */
export interface BenchStore {
  readonly redisUrl: string;
  readonly prefix: string;
}

export interface CollectResult {
  readonly collectMs: number;
  /** Records kept per family. */
  readonly records: Record<string, number>;
}

const { values } = parseArgs({ options: { sites: { type: 'string', default: '3208' } } });
// Errors only: the plan's "intervals stretched" warning at 10,000 sites is expected and would clutter the report.
const log = pino({ level: 'error' });
const started = performance.now();
const sim = await startSimulator(SimOptionsSchema.parse({ sites: values.sites, port: 0, startTime: START, warmupMinutes: 30 }), log);

serve({
  async collect(where: BenchStore): Promise<CollectResult> {
    const store = new RedisStore({ url: where.redisUrl, prefix: where.prefix }, log);
    const config = loadConfig({ MIST_API_TOKENS: DEMO_TOKEN, MIST_HOST: sim.url, LOG_LEVEL: 'warn' }, { envFile: '/nonexistent' });
    const t0 = performance.now();
    const prepared = await prepareCollector(config, log, { store });
    const results = await new Scheduler(prepared.schedulerDeps, prepared.jobs, log).runOnce();
    await prepared.callStats.flush(store);
    await store.putTokenUsage(prepared.api.usage(), Date.now());
    await prepared.api.close();
    const collectMs = performance.now() - t0;
    const failed = results.flatMap((r, i) => (r.ok ? [] : [prepared.jobs[i]!.family.name]));
    if (failed.length > 0) throw new Error(`collector cycle failed for ${failed.join(', ')}`);
    const records: Record<string, number> = {};
    for (const key of await store.listFamilies()) {
      const meta = await store.readMeta(key);
      if (meta) records[key.family] = (records[key.family] ?? 0) + (meta.recordsKept ?? 0);
    }
    await store.close();
    return { collectMs, records };
  },
});

process.send?.({ url: sim.url, orgId: sim.orgId, readyMs: performance.now() - started });
process.on('message', (m) => {
  if (m === 'stop') void sim.close().then(() => process.exit(0));
});
