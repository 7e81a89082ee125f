import { CollectorRefused, prepareCollector, runCollector } from '../collect/collector.js';
import { SECTION_NAMES, type Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { startExporter } from '../server/exporter.js';
import { DEMO_TOKEN, SimOptionsSchema } from '../sim/options.js';
import { createStore } from '../store/index.js';
import { listening, portProblem, redisProblem, refuseIfAny, StartupProblems, tokenProblem, type Listener } from './checks.js';
import { exporterListener } from './exporter.js';
import { simListener } from './sim.js';
import { watchFirstCollection } from './first-report.js';
import { InventoryError, inventoryRefused, openConfiguredInventory, openSimulatorInventory } from './inventory.js';
import type { LiveInventory } from '../inventory/watch.js';
import { noticeFor } from './notice.js';
import type { Command } from './types.js';

/**
 * Everything that stops `all`, in one list: the exporter's port, the simulator's (no token), Redis when
 * REDIS_URL is set, and (when something else is already wrong) the token. With all else well the token is
 * checked by the collector's own start.
 */
async function allChecks(config: Config, simAt: Listener, log: Logger): Promise<void> {
  const simulate = config.mist.tokens.length === 0;
  const problems = await Promise.all([
    portProblem(exporterListener(config)),
    simulate ? portProblem(simAt) : undefined,
    config.redis.url ? redisProblem(config.redis.url, undefined, config.redis.sentinel) : undefined,
  ]);
  if (problems.some((p) => p !== undefined) && !simulate) problems.push(await tokenProblem(config, log));
  refuseIfAny(problems);
}

/**
 * `mist-wan-exporter all`: collector and exporter in one process. Without REDIS_URL it uses the in-process
 * store (the embedded default); without MIST_API_TOKENS it starts the Mist simulator and collects from it
 * (the no-setup demo: `npm run demo`).
 */
export const allCommand: Command = {
  name: 'all',
  summary: 'Collector + exporter in one process (no REDIS_URL: in-process store; no token: the simulator)',
  description:
    'Runs the collector and the exporter together. With no REDIS_URL the snapshots live in the process.\n' +
    'With no MIST_API_TOKENS the built-in Mist simulator (SIM_* settings) stands in for the Mist cloud.',
  options: [],
  reads: SECTION_NAMES,
  async run(_args, { config, log, io }) {
    // Piped, stdout stays one JSON object per line: what a person reads here goes out as log entries then.
    const say = noticeFor({ config, log, io });
    let effective: Config = config;
    let closeSim: (() => Promise<void>) | undefined;
    // Checked before the simulator starts: a bad file is a configuration problem (exit 2).
    let inventory: LiveInventory | undefined;
    try {
      inventory = await openConfiguredInventory(config.collector.inventoryFile, log);
    } catch (err) {
      if (err instanceof InventoryError) return inventoryRefused(io, 'all', err);
      throw err;
    }
    const opts = SimOptionsSchema.parse({ sites: config.sim.sites, seed: config.sim.seed, port: config.sim.port, speed: config.sim.speed });
    const simAt = simListener(opts, 'SIM_PORT');
    try {
      await allChecks(config, simAt, log.child({ component: 'mist' }));
    } catch (err) {
      inventory?.close();
      throw err;
    }
    if (config.mist.tokens.length === 0) {
      const { startSimulator } = await import('../sim/main.js');
      const sim = await listening(startSimulator(opts, log.child({ component: 'sim' })), simAt);
      closeSim = () => sim.close();
      inventory ??= await openSimulatorInventory(sim.simulator, log);
      effective = { ...config, mist: { ...config.mist, tokens: [DEMO_TOKEN], baseUrl: sim.url, orgIds: [] } };
      say(`No MIST_API_TOKENS: collecting from the built-in Mist simulator at ${sim.url} (${opts.sites} sites; ${sim.url}/__sim/org)`,
        { event: 'simulator', url: sim.url, sites: opts.sites });
    }
    const store = createStore({ url: config.redis.url, sentinel: config.redis.sentinel, waitReplicas: config.redis.waitReplicas, prefix: config.store.keyPrefix, commandTimeoutMs: config.store.commandTimeoutMs }, log);
    const stop = new AbortController();
    try {
      const prepared = await prepareCollector(effective, log.child({ component: 'collector' }), { store, ...(inventory ? { inventory: inventory.source } : {}) });
      const exporter = await listening(startExporter(store, effective, log.child({ component: 'exporter' })), exporterListener(effective));
      // The series count comes from the exporter's own rendering: two passes, so one starts after the last publish.
      const served = async (): Promise<number> => {
        await exporter.cache.refresh();
        await exporter.cache.refresh();
        return exporter.cache.families().reduce((sum, f) => sum + f.series, 0);
      };
      const watched = watchFirstCollection(prepared, say, stop.signal, served);
      const share = `${((100 * prepared.plan.callsPerHour) / prepared.plan.budgetPerHour).toFixed(1)}%`;
      say(
        `mist-wan-exporter (collector + exporter) started; waiting for the first collection (${prepared.jobs.length} families)…\n` +
        `  status:   ${exporter.url}/   (/ready answers 503 until the data is there)\n` +
        `  plan:     ${prepared.plan.callsPerHour} Mist calls/hour (${share} of the budget)`,
        { event: 'waiting-for-first-collection', families: prepared.jobs.length, status: `${exporter.url}/`, callsPerHour: prepared.plan.callsPerHour, budgetShare: share },
        'mist-wan-exporter (collector + exporter) started; waiting for the first collection',
      );
      const collecting = runCollector(watched.prepared, effective, log.child({ component: 'collector' }), stop.signal);
      void watched.reported.then(() => {
        if (stop.signal.aborted) return;
        say(
          `mist-wan-exporter (collector + exporter) is up:\n` +
          `  metrics:  ${exporter.url}/metrics   (one family: ${exporter.url}/metrics?family=wan-ports)\n` +
          `  status:   ${exporter.url}/          ready: ${exporter.url}/ready\n` +
          `Press Ctrl+C to stop.`,
          { event: 'up', metrics: `${exporter.url}/metrics`, status: `${exporter.url}/`, ready: `${exporter.url}/ready` },
          `mist-wan-exporter (collector + exporter) is up: ${exporter.url}/`,
        );
      });
      const signal = await io.waitForShutdown();
      log.info({ signal }, 'shutting down');
      stop.abort();
      await collecting;
      await exporter.close();
      await prepared.api.close();
      return 0;
    } catch (err) {
      if (err instanceof CollectorRefused) throw new StartupProblems([err.message]);
      throw err;
    } finally {
      stop.abort();
      inventory?.close();
      await store.close();
      await closeSim?.();
    }
  },
};
