import type { TestProject } from 'vitest/node';
import { pingRedis, startRedisServer } from './redis.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** The shared Redis for integration tests; each test file uses its own key prefix on it. */
    redisUrl: string;
  }
}

/**
 * One real Redis for the whole run: REDIS_URL if set (it must answer PING), else a redis-server started here.
 * No Redis is a failure, never a skip: scripts/ensure-test-services.sh installs redis-server.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.REDIS_URL;
  if (given) {
    const err = await pingRedis(given);
    // The URL may hold a password: name only where it points.
    const where = URL.parse(given)?.host ?? 'REDIS_URL';
    if (err) throw new Error(`REDIS_URL (${where}) does not answer PING: ${err.message}`);
    project.provide('redisUrl', given);
    return async () => {};
  }
  const server = await startRedisServer();
  project.provide('redisUrl', server.url);
  return () => server.stop();
}
