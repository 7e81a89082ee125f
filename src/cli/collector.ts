import { CollectorRefused, prepareCollector, runCollector } from '../collect/collector.js';
import { createStore } from '../store/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { redisProblem, refuseIfAny, StartupProblems, tokenProblem } from './checks.js';
import { watchFirstCollection } from './first-report.js';
import { InventoryError, inventoryRefused, openConfiguredInventory } from './inventory.js';
import { Scheduler } from '../collect/scheduler.js';
import { noticeFor } from './notice.js';
import type { Command } from './types.js';

export const NO_TOKEN = 'MIST_API_TOKENS is empty: the collector needs at least one Mist API token (in MIST_API_TOKENS or MIST_API_TOKEN; `all` runs the simulator without one)';

/**
 * Everything that stops a collector, in one list: REDIS_URL and a token set, Redis answering, and (when something
 * else is already wrong, so the user learns it now) the token accepted by Mist. With all else well, the token is
 * checked by the collector's own start (prepareCollector), which keeps those calls counted.
 */
async function collectorChecks(config: Config, log: Logger): Promise<void> {
  const problems = [
    config.redis.url ? await redisProblem(config.redis.url, undefined, config.redis.sentinel) : 'REDIS_URL is not set: the collector shares its snapshots through Redis (run `all` for one process without Redis)',
    config.mist.tokens.length === 0 ? NO_TOKEN : undefined,
  ];
  if (problems.some((p) => p !== undefined) && config.mist.tokens.length > 0) problems.push(await tokenProblem(config, log));
  refuseIfAny(problems);
}

/** `mist-wan-exporter collector`: the only component that holds Mist tokens; writes snapshots to Redis. */
export const collectorCommand: Command = {
  name: 'collector',
  summary: 'Poll Mist on an API budget and write snapshots to Redis (the only holder of tokens)',
  description:
    'Validates the tokens, measures the org(s), plans the API budget (see `plan`), then collects every\n' +
    'family on its interval into Redis. Any number may run: per org one is active (a Redis lock per org, all of\n' +
    'MIST_ORG_ID taken together), the rest stand by; collectors of disjoint MIST_ORG_ID sets run side by side.',
  options: [{ name: 'once', description: 'Collect every family once, then exit (no lock, no schedule)' }],
  reads: ['log', 'mist', 'redis', 'collector', 'store'],
  async run(args, { config, log, io }) {
    // The inventory file is checked first: a bad file is a configuration problem, listed on its own (exit 2).
    let inventory;
    try {
      inventory = await openConfiguredInventory(config.collector.inventoryFile, log);
    } catch (err) {
      if (err instanceof InventoryError) return inventoryRefused(io, 'collector', err);
      throw err;
    }
    try {
      await collectorChecks(config, log.child({ component: 'mist' }));
    } catch (err) {
      inventory?.close();
      throw err;
    }
    const store = createStore({ url: config.redis.url, sentinel: config.redis.sentinel, waitReplicas: config.redis.waitReplicas, prefix: config.store.keyPrefix, commandTimeoutMs: config.store.commandTimeoutMs }, log);
    try {
      const prepared = await prepareCollector(config, log.child({ component: 'collector' }), { store, ...(inventory ? { inventory: inventory.source } : {}) });
      const stop = new AbortController();
      const say = noticeFor({ config, log, io });
      const watched = watchFirstCollection(prepared, say, stop.signal);
      try {
        if (args.once === true) {
          const scheduler = new Scheduler(watched.prepared.schedulerDeps, prepared.jobs, log);
          const results = await scheduler.runOnce();
          await prepared.callStats.flush(store).catch((err: unknown) => log.warn({ err }, 'could not write the API call counters'));
          await watched.reported;
          return results.every((r) => r.ok) ? 0 : 1;
        }
        say(`collector started; waiting for the first collection (${prepared.jobs.length} families; a standby collector waits for the active one's lock)`, { event: 'waiting-for-first-collection', families: prepared.jobs.length });
        const running = runCollector(watched.prepared, config, log.child({ component: 'collector' }), stop.signal);
        const signal = await Promise.race([io.waitForShutdown(), running.then(() => 'done')]);
        log.info({ signal }, 'collector shutting down');
        stop.abort();
        await running;
        return 0;
      } finally {
        await prepared.api.close();
      }
    } catch (err) {
      if (err instanceof CollectorRefused) throw new StartupProblems([err.message]);
      throw err;
    } finally {
      inventory?.close();
      await store.close();
    }
  },
};
