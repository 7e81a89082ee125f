import type { Config } from '../config/index.js';
import { startExporter } from '../server/exporter.js';
import { createStore } from '../store/index.js';
import { listening, portProblem, redisProblem, refuseIfAny, type Listener } from './checks.js';
import { PROGRAM } from './help.js';
import type { Command } from './types.js';

/** Where the exporter listens, and what moves it: for busy-port messages. */
export function exporterListener(config: Config): Listener {
  return { what: 'exporter', host: config.exporter.host, port: config.exporter.port, portSetting: 'EXPORTER_PORT', hostSetting: 'EXPORTER_HOST' };
}

/** `mist-wan-exporter exporter`: serves /metrics from Redis; never calls Mist, needs no token. */
export const exporterCommand: Command = {
  name: 'exporter',
  summary: 'Serve /metrics from the snapshots in Redis (read-only; run as many replicas as you like)',
  description:
    'Reads the collector\'s snapshots from Redis, renders each family once per new snapshot, and serves\n' +
    '/metrics (all families, or ?family=a,b), /health, /ready and a landing page. Never calls Mist.',
  options: [],
  reads: ['log', 'redis', 'store', 'exporter'],
  async run(_args, { config, log, io }) {
    const url = config.redis.url;
    refuseIfAny([
      url ? undefined : 'REDIS_URL is not set: the exporter reads the collector\'s snapshots from Redis (run `all` for one process without Redis)',
      await portProblem(exporterListener(config)),
    ]);
    // Not a refusal: an exporter outlives Redis outages, this one included (/ready answers 503 until Redis does).
    const redis = url ? await redisProblem(url, undefined, config.redis.sentinel) : undefined;
    if (redis) io.stderr(`${PROGRAM} exporter: warning: ${redis}; serving anyway, /ready answers 503 until Redis answers\n`);
    const store = createStore({ url, sentinel: config.redis.sentinel, prefix: config.store.keyPrefix, commandTimeoutMs: config.store.commandTimeoutMs }, log);
    try {
      const exporter = await listening(startExporter(store, config, log.child({ component: 'exporter' })), exporterListener(config));
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
