import { startExporter } from '../server/exporter.js';
import { createStore } from '../store/index.js';
import { printProblems, PROGRAM } from './help.js';
import type { Command } from './types.js';

/** `mist-wan-exporter exporter`: serves /metrics from Redis; never calls Mist, needs no token. */
export const exporterCommand: Command = {
  name: 'exporter',
  summary: 'Serve /metrics from the snapshots in Redis (read-only; run as many replicas as you like)',
  description:
    'Reads the collector\'s snapshots from Redis, renders each family once per new snapshot, and serves\n' +
    '/metrics (all families, or ?family=a,b), /health, /ready and a landing page. Never calls Mist.',
  options: [],
  async run(_args, { config, log, io }) {
    if (!config.redis.url) {
      return printProblems(io, `${PROGRAM} exporter`, ['REDIS_URL is not set: the exporter reads the collector\'s snapshots from Redis (run `all` for one process without Redis)']);
    }
    const store = createStore({ url: config.redis.url, prefix: config.store.keyPrefix, commandTimeoutMs: config.store.commandTimeoutMs }, log);
    try {
      const exporter = await startExporter(store, config, log.child({ component: 'exporter' }));
      io.stdout(`mist-wan-exporter serving ${exporter.url}/metrics\n`);
      const signal = await io.waitForShutdown();
      log.info({ signal }, 'exporter shutting down');
      await exporter.close();
      return 0;
    } finally {
      await store.close();
    }
  },
};
