import type { SentinelOptions } from './sentinel.js';

/** How a RedisStore connects: its options, and what of its URL may be logged (never the URL itself). */

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL; password, user, db and TLS come from it (ioredis parses it). */
  url: string;
  prefix?: string;
  now?: () => number;
  connectTimeoutMs?: number;
  /** Retries of one command across reconnects before it fails (the scheduler retries on its next cycle). */
  maxRetriesPerRequest?: number;
  /**
   * Bound of every store call (a script, a transaction or one command, reconnects included): a Redis that stops
   * answering without closing the connection (half-open) fails calls after this long instead of hanging them.
   */
  commandTimeoutMs?: number;
  /**
   * Find the master through these Sentinels and follow its failovers (src/store/sentinel.ts); `url` then gives
   * only the data nodes' user, password, db and TLS.
   */
  sentinel?: SentinelOptions | null;
  /**
   * Replicas that must confirm (WAIT) the writes a failover must not lose (publish, counter increments, lock
   * acquisition and renewal) before they count as done; 0 (default) confirms nothing.
   */
  waitReplicas?: number;
}

/** STORE_COMMAND_TIMEOUT_SECONDS' default: generous for a big snapshot read, short enough to notice a dead peer. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/** Where the server is, for logs: never the URL itself, which may carry a password. */
export function describeRedisUrl(url: string): { host: string; port: number; tls: boolean; db: number; auth: boolean } {
  const u = URL.parse(url);
  return {
    host: u?.hostname ?? '?',
    port: Number(u?.port || 6379),
    tls: u?.protocol === 'rediss:',
    db: Number(u?.pathname.slice(1) || 0),
    auth: Boolean(u?.username || u?.password),
  };
}

export function urlSecrets(url: string): string[] {
  const password = URL.parse(url)?.password ?? '';
  if (password === '') return [];
  try {
    return [password, decodeURIComponent(password)];
  } catch {
    return [password];
  }
}
