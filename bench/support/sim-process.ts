/**
 * The data source for bench/scrape.ts, in its own process so that neither the simulator nor the collector is
 * counted in the exporter's memory or CPU: a simulator, and on request one real collector cycle against it into
 * a MemoryStore, returned as a dump (snapshot pages, metadata, token usage, counters) that the exporter process
 * loads into its own store. Forked with `--sites N`; announces { url, orgId, readyMs } over IPC.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { prepareCollector } from '../../src/collect/collector.js';
import { API_RATE_LIMITED, API_REQUEST_FAILURES, API_REQUESTS } from '../../src/collect/counters.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import { loadConfig } from '../../src/config/index.js';
import { FAMILY_CATALOGUES } from '../../src/metrics/catalogue/index.js';
import { startSimulator } from '../../src/sim/main.js';
import { DEMO_TOKEN, SimOptionsSchema } from '../../src/sim/options.js';
import { MemoryStore } from '../../src/store/index.js';
import type { FamilyKey, FamilyMeta } from '../../src/store/types.js';
import { serve } from './ipc.js';

/** Same fixed start as tests/support/sim-server.ts, so runs are reproducible. */
const START = 1_790_000_000;

export interface StoreDump {
  readonly families: { key: FamilyKey; meta: FamilyMeta; pages: string[] }[];
  readonly usage: { fingerprint: string; used: number; limit: number; coolingUntil: number }[];
  readonly counters: Record<string, Record<string, number>>;
}

export interface CollectResult {
  readonly collectMs: number;
  /** Records kept per family. */
  readonly records: Record<string, number>;
  readonly dump: StoreDump;
}

const { values } = parseArgs({ options: { sites: { type: 'string', default: '3208' } } });
// Errors only: the plan's "intervals stretched" warning at 10,000 sites is expected and would clutter the report.
const log = pino({ level: 'error' });
const started = performance.now();
const sim = await startSimulator(SimOptionsSchema.parse({ sites: values.sites, port: 0, startTime: START, warmupMinutes: 30 }), log);

serve({
  async collect(): Promise<CollectResult> {
    const store = new MemoryStore();
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
    const families: StoreDump['families'] = [];
    const records: Record<string, number> = {};
    for (const key of await store.listFamilies()) {
      const meta = await store.readMeta(key);
      const snap = await store.readSnapshot(key);
      if (!meta || !snap) continue;
      families.push({ key, meta, pages: [...snap.pages] });
      records[key.family] = (records[key.family] ?? 0) + (meta.recordsKept ?? 0);
    }
    const groups = new Set<string>([API_REQUESTS, API_REQUEST_FAILURES, API_RATE_LIMITED, ...FAMILY_CATALOGUES.flatMap((c) => (c.counters ?? []).map((d) => d.group))]);
    const counters: Record<string, Record<string, number>> = {};
    for (const g of groups) counters[g] = await store.readCounters(g);
    const usage = (await store.readTokenUsage()).map(({ fingerprint, used, limit, coolingUntil }) => ({ fingerprint, used, limit, coolingUntil }));
    return { collectMs, records, dump: { families, usage, counters } };
  },
});

process.send?.({ url: sim.url, orgId: sim.orgId, readyMs: performance.now() - started });
process.on('message', (m) => {
  if (m === 'stop') void sim.close().then(() => process.exit(0));
});
