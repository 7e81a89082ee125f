import { prepareCollector, type CollectorDeps, type PreparedCollector } from '../../src/collect/collector.js';
import { runCycle, type CycleResult } from '../../src/collect/cycle.js';
import type { Family } from '../../src/collect/family.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import type { FamilyMeta, Store } from '../../src/store/types.js';
import { exporterConfig, httpGet, parseSamples, type ParsedSample } from '../support/exporter-harness.js';
import { simCalls, type SimCalls } from '../support/mist-sim-client.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * The pipeline of the hostile Mist tests: the simulator over HTTP → the real collector (prepareCollector: token
 * checks, org measurement, plan; cycles through runCycle) → real Redis → the real exporter's /metrics over HTTP.
 * Cycles are driven one at a time (so each assertion knows which calls a cycle made), and after each the API
 * call counters and token usage are published to the store exactly as runCollector does every 10 s.
 *
 * The collector's clock is real time plus an offset that its sleeps (backoff, Retry-After, cooldowns) add to
 * at once, so a 30 s Retry-After costs no wall time; tests move the offset to let a cooldown pass. The
 * exporter runs on the wall clock: tests that check expiry use no sleeps (offset 0).
 */
export interface MistRig {
  readonly sim: TestSim;
  readonly store: Store;
  readonly prepared: PreparedCollector;
  readonly exporter: RunningExporter;
  /** Every log line of the collector and the exporter (JSON, level info and up). */
  readonly logs: string[];
  readonly clock: { offset: number; readonly sleeps: number[] };
  /** One cycle of `family` (interval: the plan's, unless given), then the call counters and usage published. */
  cycle(family: Family, intervalSeconds?: number): Promise<CycleResult>;
  /** Refreshes the exporter and GETs /metrics (one family, or everything) over HTTP. */
  scrape(family?: string): Promise<string>;
  /** The self-metrics (`/metrics?family=exporter`), parsed. */
  self(): Promise<ParsedSample[]>;
  meta(family: Family): Promise<FamilyMeta | null>;
  calls(): Promise<SimCalls>;
  fault(spec: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  /** Parsed log lines from index `from` on. */
  logLines(from: number): Record<string, unknown>[];
  close(): Promise<void>;
}

export interface MistRigOptions {
  readonly redisUrl: string;
  readonly label: string;
  readonly families: readonly Family[];
  /** Tokens the simulator accepts (default one). */
  readonly simTokens?: readonly string[];
  /** Tokens the collector is configured with (default: the simulator's). */
  readonly tokens?: readonly string[];
  readonly sites?: number;
  readonly client?: CollectorDeps['client'];
}

export async function startMistRig(opts: MistRigOptions): Promise<MistRig> {
  const sim = await startTestSim({ sites: opts.sites ?? 20, ...(opts.simTokens ? { tokens: [...opts.simTokens] } : {}) });
  const log = captureLog('info');
  const logs = log.lines;
  const h = await redisStoreHarness(opts.redisUrl, opts.label, log.log);
  const clock = { offset: 0, sleeps: [] as number[] };
  const now = (): number => Date.now() + clock.offset;
  const config = exporterConfig(sim, { MIST_API_TOKENS: (opts.tokens ?? opts.simTokens ?? [sim.token]).join(','), LOG_LEVEL: 'info' });
  let prepared: PreparedCollector | undefined;
  let exporter: RunningExporter | undefined;
  try {
    prepared = await prepareCollector(config, log.log.child({ component: 'collector' }), {
      store: h.store, now, families: opts.families, ...(opts.client ? { client: opts.client } : {}),
      sleep: async (ms, signal) => {
        if (signal?.aborted) throw signal.reason;
        clock.sleeps.push(ms);
        clock.offset += Math.max(0, ms);
      },
    });
    exporter = await startExporter(h.store, config, log.log.child({ component: 'exporter' }));
  } catch (err) {
    await prepared?.api.close();
    await h.cleanup();
    await sim.close();
    throw err;
  }
  const p = prepared;
  const e = exporter;
  const intervalOf = (family: Family): number => p.jobs.find((j) => j.family.name === family.name)?.intervalSeconds ?? family.defaultIntervalSeconds;
  const scrape = async (family?: string): Promise<string> => {
    await e.cache.refresh();
    const res = await httpGet(`${e.url}/metrics${family ? `?family=${family}` : ''}`);
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    return res.text;
  };
  return {
    sim, store: h.store, prepared: p, exporter: e, logs, clock,
    async cycle(family, intervalSeconds) {
      const result = await runCycle(p.schedulerDeps, family, sim.orgId, intervalSeconds ?? intervalOf(family), new AbortController().signal);
      await p.callStats.flush(h.store);
      await h.store.putTokenUsage(p.api.usage(), now());
      return result;
    },
    scrape,
    self: async () => parseSamples(await scrape('exporter')),
    meta: (family) => h.store.readMeta({ orgId: sim.orgId, family: family.name }),
    calls: () => simCalls(sim),
    async fault(spec) {
      const r = await sim.admin('POST', '/__sim/faults', spec);
      if (r.status !== 201) throw new Error(`fault refused: ${JSON.stringify(r.body)}`);
    },
    async clearFaults() {
      await sim.admin('DELETE', '/__sim/faults');
    },
    logLines: (from) => logs.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>),
    async close() {
      await e.close();
      await p.api.close();
      await h.cleanup();
      await sim.close();
    },
  };
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
export function sample(samples: readonly ParsedSample[], name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}

/** A counter's value (0 while the series does not exist yet). */
export const counter = (samples: readonly ParsedSample[], name: string, labels: Readonly<Record<string, string>>): number => sample(samples, name, labels) ?? 0;
