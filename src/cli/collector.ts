import { CollectorRefused, prepareCollector, runCollector } from '../collect/collector.js';
import { createStore } from '../store/index.js';
import { watchFirstCollection } from './first-report.js';
import { printProblems, PROGRAM } from './help.js';
import { InventoryError, inventoryRefused, openConfiguredInventory } from './inventory.js';
import { Scheduler } from '../collect/scheduler.js';
import { noticeFor } from './notice.js';
import type { Command } from './types.js';

/** `mist-wan-exporter collector`: the only component that holds Mist tokens; writes snapshots to Redis. */
export const collectorCommand: Command = {
  name: 'collector',
  summary: 'Poll Mist on an API budget and write snapshots to Redis (the only holder of tokens)',
  description:
    'Validates the tokens, measures the org(s), plans the API budget (see `plan`), then collects every\n' +
    'family on its interval into Redis. Any number may run: one is active (a Redis lock), the rest stand by.',
  options: [{ name: 'once', description: 'Collect every family once, then exit (no lock, no schedule)' }],
  async run(args, { config, log, io }) {
    if (!config.redis.url) {
      return printProblems(io, `${PROGRAM} collector`, ['REDIS_URL is not set: a separate collector needs Redis to share its snapshots (run `all` for one process without Redis)']);
    }
    // The inventory file is checked before Redis and Mist: a bad file is a configuration problem (exit 2).
    let inventory;
    try {
      inventory = await openConfiguredInventory(config.collector.inventoryFile, log);
    } catch (err) {
      if (err instanceof InventoryError) return inventoryRefused(io, 'collector', err);
      throw err;
    }
    const store = createStore({ url: config.redis.url, prefix: config.store.keyPrefix, commandTimeoutMs: config.store.commandTimeoutMs }, log);
    try {
      if (!(await store.ping())) throw new Error('Redis is not reachable');
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
      if (err instanceof CollectorRefused) return printProblems(io, `${PROGRAM} collector: refusing to start`, [err.message]);
      throw err;
    } finally {
      inventory?.close();
      await store.close();
    }
  },
};
